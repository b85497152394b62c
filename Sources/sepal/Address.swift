/// Flower's address parsing (`parse_address`): `host:port`, `[v6]:port`; port 0–65535.
enum Address {
    /// The normalised `host:port` (`[host]:port` for IPv6), or nil if it cannot be parsed.
    static func normalise(_ address: String) -> String? {
        var host: Substring
        var portText: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { return nil }
            host = address[address.index(after: address.startIndex)..<close]
            let rest = address[address.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
            return "[\(host)]:\(port)"
        }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        host = address[..<colon]
        portText = address[address.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port), !portText.isEmpty else { return nil }
        if host.contains(":") { return "[\(host)]:\(port)" }  // bare IPv6
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
            return nil
        }
        return "\(host):\(port)"
    }

    /// The address a local client uses to reach a server bound to `address`.
    static func loopbackClientAddress(_ address: String) -> String {
        if address.hasPrefix("0.0.0.0:") { return "127.0.0.1:" + address.dropFirst("0.0.0.0:".count) }
        if address.hasPrefix("[::]:") { return "[::1]:" + address.dropFirst("[::]:".count) }
        return address
    }
}
