import Foundation
import HTTP
import Synchronization

/// An `HTTPServer` on 127.0.0.1:0 for one test; records every request its handler saw.
final class TestServer: Sendable {
    let server: HTTPServer
    let port: Int
    private let log: RequestLog

    /// `handler` defaults to echoing `METHOD target bodyLength` as text.
    init(config: HTTPServerConfig = HTTPServerConfig(), tls: HTTPTLSConfig? = nil, handler: HTTPHandler? = nil) throws {
        let respond: HTTPHandler = handler ?? { request in
            .text(200, "\(request.method) \(request.target) \(request.body.count)")
        }
        let log = RequestLog()
        server = HTTPServer(config: config) { request in
            log.append(request)
            return await respond(request)
        }
        self.log = log
        port = try server.bind("127.0.0.1:0", tls: tls)
        try server.start()
    }

    /// Requests that reached the handler, in arrival order.
    var requests: [HTTPRequest] { log.all }

    func stop(grace: Duration = .milliseconds(100)) {
        server.shutdown(grace: grace)
    }

    private final class RequestLog: Sendable {
        private let list = Mutex<[HTTPRequest]>([])
        func append(_ r: HTTPRequest) { list.withLock { $0.append(r) } }
        var all: [HTTPRequest] { list.withLock { $0 } }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func waitUntil(_ timeout: Duration, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// `POST path` with a body and the headers Flower's REST client sends.
func post(_ path: String, body: [UInt8] = [], extra: String = "") -> [UInt8] {
    Array(("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/protobuf\r\n"
        + "Accept: application/protobuf\r\nContent-Length: \(body.count)\r\n\(extra)\r\n").utf8) + body
}
