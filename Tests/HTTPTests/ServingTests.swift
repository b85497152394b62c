import Foundation
import HTTP
import Synchronization
import XCTest

/// Requests and responses over real loopback sockets.
final class ServingTests: XCTestCase {
    func testRequestReachesHandlerWithBodyHeadersAndPeer() throws {
        let server = try TestServer { request in
            var h = HTTPHeaders()
            h.add("content-type", "application/octet-stream")
            return HTTPResponse(status: 201, headers: h, body: request.body.reversed())
        }
        defer { server.stop() }
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let client = try RawClient(port: server.port)
        client.send(post("/p?q=1", body: body, extra: "X-Custom: yes\r\n"))
        let response = try XCTUnwrap(client.response())
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.body, body.reversed())
        XCTAssertEqual(response.headers["content-type"], "application/octet-stream")
        XCTAssertEqual(response.headers["content-length"], "100000")
        XCTAssertNotNil(response.headers["date"])
        XCTAssertNil(response.headers["connection"])  // kept alive
        let seen = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(seen.method, "POST")
        XCTAssertEqual(seen.target, "/p?q=1")
        XCTAssertEqual(seen.path, "/p")
        XCTAssertEqual(seen.headers.first("x-custom"), "yes")
        XCTAssertTrue(seen.peer.hasPrefix("127.0.0.1:"), seen.peer)
    }

    func testKeepAliveServesSequentialAndPipelinedRequests() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send(post("/one", body: [1, 2, 3]))
        XCTAssertEqual(client.responses(1).map(\.text), ["POST /one 3"])
        // Three requests in one write, the last one split from its body.
        client.send(post("/two") + post("/three", body: [9]) + Array(post("/four", body: [7, 7]).dropLast(1)))
        usleep(50_000)
        client.send([7])
        let all = client.responses(4)
        XCTAssertEqual(all.map(\.text), ["POST /one 3", "POST /two 0", "POST /three 1", "POST /four 2"])
        XCTAssertEqual(server.requests.count, 4)
    }

    func testHTTP10AndConnectionCloseCloseAfterTheResponse() throws {
        let server = try TestServer()
        defer { server.stop() }
        for request in [
            "GET /a HTTP/1.0\r\n\r\n",
            "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ] {
            let client = try RawClient(port: server.port)
            client.send(request)
            XCTAssertTrue(client.readUntilClosed())
            let response = try XCTUnwrap(ParsedResponse.parseAll(client.received).first)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.headers["connection"], "close")
        }
    }

    func testHeadResponseAnnouncesLengthWithoutBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(client.readUntil { String(decoding: $0, as: UTF8.self).hasSuffix("GET /y 0") })
        let text = String(decoding: client.received, as: UTF8.self)
        let head = try XCTUnwrap(ParsedResponse.parseAll(client.received, headRequest: true).first)
        XCTAssertEqual(head.headers["content-length"], "\("HEAD /x 0".utf8.count)")
        // The GET's response starts right after the HEAD response's head: no body in between.
        XCTAssertFalse(text.contains("HEAD /x 0"), text)
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 200 OK").count, 3, text)
    }

    func testExpectContinueGetsInterimResponseBeforeBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send(
            "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try XCTUnwrap(client.response())
        XCTAssertEqual(interim.status, 100)
        client.send("abcd")
        let final = client.responses(2)
        XCTAssertEqual(final.last?.status, 200)
        XCTAssertEqual(final.last?.text, "POST /e 4")
    }

    func testManyConcurrentConnections() throws {
        let server = try TestServer { request in
            try? await Task.sleep(for: .milliseconds(100))
            return .text(200, request.target)
        }
        defer { server.stop() }
        let count = 48
        let succeeded = Mutex(0)
        let group = DispatchGroup()
        let port = server.port
        let started = ContinuousClock.now
        for i in 0..<count {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let client = try? RawClient(port: port) else { return }
                client.send(post("/c\(i)") + post("/d\(i)"))
                if client.responses(2).map(\.text) == ["/c\(i)", "/d\(i)"] { succeeded.withLock { $0 += 1 } }
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(succeeded.withLock { $0 }, count)
        // Connections are served in parallel: 48 × 2 sequential 100 ms handlers would take 9.6 s.
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(6))
    }

    func testBindReportsPortAndRefusesTakenPortAndBadAddresses() throws {
        let first = try TestServer()
        defer { first.stop() }
        XCTAssertGreaterThan(first.port, 0)
        let second = HTTPServer { _ in .text(200, "") }
        XCTAssertThrowsError(try second.bind("127.0.0.1:\(first.port)")) { error in
            XCTAssertEqual(error as? HTTPError, .addressInUse("127.0.0.1:\(first.port)"))
        }
        for bad in ["nonsense", "127.0.0.1:", "127.0.0.1:70000", "::1:80", "no-such-host.invalid:80"] {
            XCTAssertThrowsError(try HTTPServer { _ in .text(200, "") }.bind(bad), bad) { error in
                XCTAssertEqual(error as? HTTPError, .invalidAddress(bad), bad)
            }
        }
        let twice = HTTPServer { _ in .text(200, "") }
        try twice.bind("127.0.0.1:0")
        XCTAssertThrowsError(try twice.bind("127.0.0.1:0"))
        twice.shutdown(grace: .zero)
    }

    func testIPv6AndDualStackListeners() throws {
        let server = HTTPServer { request in .text(200, request.peer) }
        let port = try server.bind("[::]:0")
        try server.start()
        defer { server.shutdown(grace: .zero) }
        let client = try RawClient(port: port)  // IPv4 client on a dual-stack listener
        client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(client.response()?.status, 200)
    }
}
