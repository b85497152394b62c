import Foundation
import Glibc
import Synchronization

/// A minimal HTTP/1.1 server over POSIX sockets (and libssl for HTTPS): keep-alive,
/// Content-Length bodies, one dedicated thread per connection, so blocking socket work never
/// runs on Swift's cooperative pool; handlers are async and run there as Tasks.
///
/// ```swift
/// let server = HTTPServer { request in .text(200, "hello \(request.path)") }
/// let port = try server.bind("127.0.0.1:0")          // TLS: bind(_:tls:)
/// try server.start()
/// ...
/// await server.shutdown(grace: .seconds(1))
/// ```
///
/// What the server answers itself, closing the connection afterwards: 400 for malformed
/// request syntax, 408 when a head (or a body) stalls past its timeout, 413 for a body over
/// `maxBodyBytes`, 417 for an `Expect` other than `100-continue`, 431 for heads over
/// `maxHeaderBytes`, 501 for any `Transfer-Encoding` (chunked bodies are not supported), 505
/// for other HTTP versions, 503 to connections beyond `maxConnections`. HEAD responses carry no
/// body. HTTP/1.0 connections close after one response.
public final class HTTPServer: Sendable {
    private let core: HTTPServerCore

    public init(config: HTTPServerConfig = HTTPServerConfig(), handler: @escaping HTTPHandler) {
        core = HTTPServerCore(config: config, handler: handler)
    }

    deinit {
        core.shutdown(grace: .zero)
    }

    public var config: HTTPServerConfig { core.config }

    /// Listens on `host:port` (IPv4, `[IPv6]`, hostname: every address it resolves to; port 0
    /// picks a free port), with TLS when `tls` is given. Once, before `start()`. Returns the
    /// bound port. A taken port throws `HTTPError.addressInUse`.
    @discardableResult
    public func bind(_ address: String, tls: HTTPTLSConfig? = nil) throws(HTTPError) -> Int {
        try core.bind(address, tls: tls)
    }

    /// Starts accepting connections.
    public func start() throws(HTTPError) {
        try core.start()
    }

    /// Graceful stop: no new connections or requests, idle connections closed at once, requests
    /// in handlers get `grace` to answer, then their Tasks are cancelled and their sockets shut.
    /// Returns when every connection thread is done. Idempotent. Blocks the calling thread:
    /// never call it from the cooperative pool (use the async variant there).
    public func shutdown(grace: Duration) {
        core.shutdown(grace: grace)
    }

    /// `shutdown(grace:)` on a dedicated thread, so the cooperative pool is never blocked.
    public func shutdown(grace: Duration) async {
        let core = core
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                core.shutdown(grace: grace)
                continuation.resume()
            }
            thread.name = "http-server-shutdown"
            thread.start()
        }
    }
}

/// The listener, the accept thread and the connection registry, apart from `HTTPServer` so
/// threads can reference it without keeping the public object alive.
///
/// `@unchecked Sendable`: `listener`, `tls` and `wake` are written only under `lifecycle`'s lock
/// before the accept thread starts (which reads them afterwards without mutation) and released
/// only by `shutdown` after that thread exited.
final class HTTPServerCore: @unchecked Sendable {
    enum Phase { case configuring, bound, serving, stopped }

    let config: HTTPServerConfig
    private let handler: HTTPHandler
    private let registry: ConnectionRegistry
    private let lifecycle = Mutex(Phase.configuring)
    private let shutdownLock = Mutex(())
    private let acceptorDone = DispatchSemaphore(value: 0)
    private var listener: Listener?
    private var tls: TLSContext?
    /// A pipe whose write end wakes the accept thread's `poll` for shutdown.
    private var wake: (read: Int32, write: Int32) = (-1, -1)

    init(config: HTTPServerConfig, handler: @escaping HTTPHandler) {
        self.config = config
        self.handler = handler
        self.registry = ConnectionRegistry(maxConnections: config.maxConnections)
    }

    func bind(_ address: String, tls config: HTTPTLSConfig?) throws(HTTPError) -> Int {
        try lifecycle.withLock { (phase) throws(HTTPError) -> Int in
            guard phase == .configuring else { throw .invalidState("bind may be called once, before start") }
            let context = try config.map { (c) throws(HTTPError) in try TLSContext(c) }
            let listener = try Listener.open(address)
            self.tls = context
            self.listener = listener
            phase = .bound
            return listener.port
        }
    }

    func start() throws(HTTPError) {
        try lifecycle.withLock { (phase) throws(HTTPError) in
            guard phase == .bound else { throw .invalidState(phase == .configuring ? "start before bind" : "start twice") }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw .bindFailed("pipe: \(errnoText())") }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            wake = (fds[0], fds[1])
            phase = .serving
            let thread = Thread { [self] in
                acceptLoop()
                acceptorDone.signal()
            }
            thread.name = "http-accept"
            thread.start()
        }
    }

    func shutdown(grace: Duration) {
        shutdownLock.withLock { _ in
            let previous = lifecycle.withLock { phase -> Phase in
                defer { phase = .stopped }
                return phase
            }
            switch previous {
            case .stopped:
                return
            case .configuring:
                return
            case .bound:
                listener?.close()
                return
            case .serving:
                var byte: UInt8 = 1
                _ = write(wake.write, &byte, 1)
                acceptorDone.wait()
                listener?.close()
                _ = close(wake.read)
                _ = close(wake.write)
                registry.drain(grace: grace)
            }
        }
    }

    private func acceptLoop() {
        guard let listener else { return }
        var pfds = listener.fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        pfds.append(pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0))
        while true {
            for i in pfds.indices { pfds[i].revents = 0 }
            let r = poll(&pfds, nfds_t(pfds.count), -1)
            if r < 0 {
                if errno == EINTR { continue }
                return
            }
            if pfds[pfds.count - 1].revents != 0 { return }
            for i in 0..<(pfds.count - 1) where pfds[i].revents != 0 {
                acceptAll(on: pfds[i].fd)
            }
        }
    }

    /// Accepts every pending connection on a listening socket.
    private func acceptAll(on listenFD: Int32) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &length) }
            }
            guard fd >= 0 else {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: back off instead of spinning on the backlog.
                    usleep(50_000)
                    return
                default:
                    return  // EAGAIN: nothing more pending
                }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            guard let id = registry.admit(fd: fd) else {
                refuse(fd)
                continue
            }
            let connection = Connection(
                id: id, fd: fd, peer: numericAddress(&storage, length: length), tls: tls, registry: registry,
                config: config, handler: handler)
            let thread = Thread { connection.run() }
            thread.name = "http-connection"
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    /// Best-effort 503 to a connection over the limit (plain text even on HTTPS: the client
    /// sees a failed handshake, which is as good), then close.
    private func refuse(_ fd: Int32) {
        if tls == nil {
            let bytes = HTTPResponse.plain(503).serialized(close: true, date: HTTPDate.now(), includeBody: true)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        }
        _ = close(fd)
    }
}
