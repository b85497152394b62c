import Glibc

/// Listening sockets for one `host:port`: every address the host resolves to, on one port
/// (port 0 picks a free one, shared by all). `SO_REUSEADDR` (restart past TIME_WAIT) but never
/// `SO_REUSEPORT`, so a port another process listens on is an error, not a silent shared bind.
/// Sockets are close-on-exec, so child processes (the SuperExec) never inherit them.
struct Listener {
    let fds: [Int32]
    let port: Int

    static func open(_ address: String, backlog: Int32 = 1024) throws(HTTPError) -> Listener {
        guard let (host, requestedPort) = split(address) else { throw .invalidAddress(address) }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = host.isEmpty
            ? getaddrinfo(nil, String(requestedPort), &hints, &list)
            : getaddrinfo(host, String(requestedPort), &hints, &list)
        guard resolved == 0, let first = list else { throw .invalidAddress(address) }
        defer { freeaddrinfo(first) }

        var candidates: [UnsafeMutablePointer<addrinfo>] = []
        var seen: Set<[UInt8]> = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let family = info.pointee.ai_family
            guard family == AF_INET || family == AF_INET6 else { continue }
            let key = Array(UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
            if seen.insert(key).inserted { candidates.append(info) }
        }
        guard !candidates.isEmpty else { throw .invalidAddress(address) }

        var fds: [Int32] = []
        var port = requestedPort
        do throws(HTTPError) {
            for info in candidates {
                let fd = socket(
                    info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
                        | Int32(SOCK_NONBLOCK.rawValue), 0)
                guard fd >= 0 else { throw .bindFailed("socket: \(errnoText())") }
                fds.append(fd)
                var one: Int32 = 1
                _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                if info.pointee.ai_family == AF_INET6 {
                    // Dual-stack for a lone `[::]`; IPv6 only when the host also has IPv4 addresses.
                    var v6only: Int32 = candidates.count > 1 ? 1 : 0
                    _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
                }
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { raw in
                    raw.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
                }
                setPort(&storage, port)
                let rc = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, info.pointee.ai_addrlen) }
                }
                if rc != 0 {
                    if errno == EADDRINUSE { throw .addressInUse(address) }
                    if errno == EADDRNOTAVAIL { throw .invalidAddress(address) }
                    throw .bindFailed("bind \(address): \(errnoText())")
                }
                guard listen(fd, backlog) == 0 else {
                    if errno == EADDRINUSE { throw .addressInUse(address) }
                    throw .bindFailed("listen \(address): \(errnoText())")
                }
                if port == 0 { port = boundPort(fd) }
            }
        } catch {
            for fd in fds { _ = Glibc.close(fd) }
            throw error
        }
        return Listener(fds: fds, port: port)
    }

    func close() {
        for fd in fds { _ = Glibc.close(fd) }
    }

    /// `host:port`, `[v6]:port` or `:port`; nil if malformed.
    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        var host = String(address[..<colon])
        let portText = address[address.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
              (0...65535).contains(port)
        else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // an IPv6 literal needs brackets
        }
        return (host, port)
    }

    private static func setPort(_ storage: inout sockaddr_storage, _ port: Int) {
        let network = UInt16(port).bigEndian
        withUnsafeMutableBytes(of: &storage) { raw in
            // sin_port and sin6_port sit at the same offset (2) in both layouts.
            raw.storeBytes(of: network, toByteOffset: 2, as: UInt16.self)
        }
    }

    private static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let network = withUnsafeBytes(of: &storage) { $0.load(fromByteOffset: 2, as: UInt16.self) }
        return Int(UInt16(bigEndian: network))
    }
}

/// `strerror(errno)`.
func errnoText() -> String {
    String(cString: strerror(errno))
}

/// `ip:port` (`[ip]:port` for IPv6) of a socket address.
func numericAddress(_ storage: inout sockaddr_storage, length: socklen_t) -> String {
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
    let rc = withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                        NI_NUMERICHOST | NI_NUMERICSERV)
        }
    }
    guard rc == 0 else { return "unknown" }
    func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    let h = text(host), s = text(service)
    return storage.ss_family == sa_family_t(AF_INET6) ? "[\(h)]:\(s)" : "\(h):\(s)"
}
