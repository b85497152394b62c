import Glibc

/// Parses `host:port` addresses and explains why the core could not listen on one.
///
/// The core only reports "0" when `grpc_server_add_http2_port` fails; to tell a taken port
/// from a bad address we try to bind the same address ourselves.
enum AddressProbe {
    enum Outcome: Equatable {
        case free
        case inUse
        case unresolvable
        case failed(Int32)
    }

    /// Splits `host:port`, `[v6]:port` or `:port`; nil if malformed.
    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        var host = String(address[..<colon])
        guard let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // an IPv6 literal needs brackets
        }
        return (host, port)
    }

    /// Tries to bind every address `host` resolves to, with `SO_REUSEADDR` as the core uses.
    static func probe(host: String, port: Int) -> Outcome {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = host.isEmpty || host == "*"
            ? getaddrinfo(nil, String(port), &hints, &list)
            : getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else { return .unresolvable }
        defer { freeaddrinfo(first) }
        var outcome = Outcome.free
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                if errno == EADDRINUSE { return .inUse }
                outcome = .failed(errno)
            }
        }
        return outcome
    }
}
