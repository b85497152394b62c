import Dispatch
import Glibc
import Synchronization

/// A request handler: the complete request in, the complete response out. Runs as a Task on
/// Swift's cooperative pool; the connection's own thread waits for it.
public typealias HTTPHandler = @Sendable (HTTPRequest) async -> HTTPResponse

/// One accepted connection, served on its own thread: optional TLS handshake, then requests
/// one after the other (keep-alive, pipelined bytes kept) until either side closes, a limit is
/// hit or the server stops.
///
/// `@unchecked Sendable`: built by the accept thread and then used only by the connection's
/// own thread (handed over at thread start); its mutable buffer is never shared.
final class Connection: @unchecked Sendable {
    private let id: Int
    private let fd: Int32
    private let peer: String
    private let socket: SocketStream
    private let tls: TLSStream?
    /// The listener is HTTPS: without a TLS session (none could be made) nothing is served.
    private let tlsRequired: Bool
    private let registry: ConnectionRegistry
    private let config: HTTPServerConfig
    private let handler: HTTPHandler
    private var buffer: [UInt8] = []
    private var servedOne = false

    init(
        id: Int, fd: Int32, peer: String, tls: TLSContext?, registry: ConnectionRegistry, config: HTTPServerConfig,
        handler: @escaping HTTPHandler
    ) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.socket = SocketStream(fd: fd)
        self.tls = tls.flatMap { TLSStream(context: $0, socket: SocketStream(fd: fd)) }
        self.tlsRequired = tls != nil
        self.registry = registry
        self.config = config
        self.handler = handler
    }

    private var stream: ByteStream { tls ?? socket }

    /// Serves until the connection ends, then deregisters and closes the socket.
    func run() {
        defer {
            registry.remove(id)
            _ = close(fd)
        }
        if tlsRequired {
            guard let tls, tls.handshake(deadline: .now + config.headerTimeout) else { return }
        }
        while serveOne() {}
        tls?.close(deadline: .now + .seconds(1))
    }

    /// One request; false when the connection must close.
    private func serveOne() -> Bool {
        guard let (head, headLength) = readHead() else { return false }
        let total = headLength + head.contentLength
        if head.expectsContinue && head.contentLength > 0 && buffer.count < total {
            guard stream.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), deadline: .now + config.ioTimeout) else {
                return false
            }
        }
        while buffer.count < total {
            let want = min(total - buffer.count, 256 * 1024)
            switch stream.read(into: &buffer, max: want, deadline: .now + config.ioTimeout) {
            case .data: continue
            case .closed: return false
            case .timedOut:
                reject(408)
                return false
            }
        }
        let request = HTTPRequest(
            method: head.method, target: head.target, version: head.version, headers: head.headers,
            body: Array(buffer[headLength..<total]), peer: peer)
        buffer.removeFirst(total)
        servedOne = true

        guard registry.beginRequest(id) else { return false }
        let response = respond(to: request)
        let close = !head.keepAlive || !registry.isServing
        let bytes = response.serialized(close: close, date: HTTPDate.now(), includeBody: head.method != "HEAD")
        let written = stream.write(bytes, deadline: .now + config.ioTimeout)
        let mayContinue = registry.endRequest(id)
        return written && !close && mayContinue
    }

    /// Runs the handler as a Task and waits for it on this (dedicated) thread.
    private func respond(to request: HTTPRequest) -> HTTPResponse {
        let slot = ResponseSlot()
        let handler = handler
        let task = Task.detached {
            slot.fulfil(await handler(request))
        }
        registry.attach(task, to: id)
        return slot.wait()
    }

    /// Reads up to a complete, valid head. nil when the connection is to close (an error
    /// response, if one is due, was sent).
    private func readHead() -> (RequestHead, Int)? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2).
        let leading = buffer.prefix { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }.count
        if leading > 0 { buffer.removeFirst(leading) }
        if buffer.isEmpty {
            // Waiting for a request: idle. A silent new connection gets the head timeout.
            let wait = servedOne ? config.idleTimeout : config.headerTimeout
            guard stream.read(into: &buffer, max: 16 * 1024, deadline: .now + wait) == .data else { return nil }
        }
        let deadline = ContinuousClock.now + config.headerTimeout
        var searched = 0
        while true {
            let leading = buffer.prefix { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }.count
            if leading > 0 {
                buffer.removeFirst(leading)
                searched = 0
            }
            if let end = RequestHeadParser.headEnd(in: buffer, searchFrom: searched) {
                guard end <= config.maxHeaderBytes else {
                    reject(431)
                    return nil
                }
                switch RequestHeadParser.parse(buffer[0..<end], config: config) {
                case .success(let head): return (head, end)
                case .failure(let rejected):
                    reject(rejected.status)
                    return nil
                }
            }
            guard buffer.count <= config.maxHeaderBytes else {
                reject(431)
                return nil
            }
            searched = RequestHeadParser.resumeOffset(afterSearching: buffer.count)
            let room = config.maxHeaderBytes + 4 - buffer.count
            switch stream.read(into: &buffer, max: max(1, min(16 * 1024, room)), deadline: deadline) {
            case .data: continue
            case .closed: return nil
            case .timedOut:
                reject(408)
                return nil
            }
        }
    }

    /// Answers a request the server itself refuses; the connection closes after it.
    private func reject(_ status: Int) {
        let bytes = HTTPResponse.plain(status).serialized(close: true, date: HTTPDate.now(), includeBody: true)
        _ = stream.write(bytes, deadline: .now + .seconds(5))
    }
}

/// Hands a handler's response from its Task to the waiting connection thread.
private final class ResponseSlot: Sendable {
    private let value = Mutex<HTTPResponse?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func fulfil(_ response: HTTPResponse) {
        value.withLock { $0 = response }
        ready.signal()
    }

    func wait() -> HTTPResponse {
        ready.wait()
        return value.withLock { $0! }
    }
}
