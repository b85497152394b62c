import Foundation
import HTTP
import XCTest

/// Garbage, oversized and stalled input: the server answers or closes within its limits, never
/// calls the handler with a partial request, and keeps serving others.
final class HostileInputTests: XCTestCase {
    private func limited() -> HTTPServerConfig {
        var c = HTTPServerConfig()
        c.maxHeaderBytes = 4096
        c.maxBodyBytes = 1 << 20
        c.headerTimeout = .milliseconds(400)
        c.idleTimeout = .milliseconds(600)
        c.ioTimeout = .milliseconds(400)
        return c
    }

    /// Sends `bytes`, expects `status` and a close.
    private func expectRejection(_ server: TestServer, _ bytes: [UInt8], _ status: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try RawClient(port: server.port)
        client.send(bytes)
        XCTAssertTrue(client.readUntilClosed(), "server did not close", file: file, line: line)
        let response = ParsedResponse.parseAll(client.received).first
        XCTAssertEqual(response?.status, status, String(decoding: client.received, as: UTF8.self), file: file, line: line)
        XCTAssertEqual(response?.headers["connection"], "close", file: file, line: line)
    }

    /// The server still answers a well-formed request.
    private func assertHealthy(_ server: TestServer, file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try RawClient(port: server.port)
        client.send(post("/ok"))
        XCTAssertEqual(client.response()?.text, "POST /ok 0", file: file, line: line)
    }

    func testGarbageIsRejectedAndServerSurvives() throws {
        let server = try TestServer(config: limited())
        defer { server.stop() }
        try expectRejection(server, Array("\u{0}\u{1}\u{2}garbage\r\n\r\n".utf8), 400)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var bytes = (0..<Int.random(in: 1...3000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            bytes += Array("\r\n\r\n".utf8)
            let client = try RawClient(port: server.port)
            client.send(bytes)
            XCTAssertTrue(client.readUntilClosed())
        }
        try expectRejection(server, Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8), 501)
        try expectRejection(server, Array("GET / HTTP/3.0\r\nHost: a\r\n\r\n".utf8), 505)
        XCTAssertTrue(server.requests.isEmpty)
        try assertHealthy(server)
    }

    func testOversizedBodyIs413WithoutReadingIt() throws {
        let server = try TestServer(config: limited())
        defer { server.stop() }
        try expectRejection(
            server, Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\nabc".utf8), 413)
        try expectRejection(server, Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n".utf8), 413)
        // Exactly the limit is fine.
        let client = try RawClient(port: server.port)
        client.send(post("/max", body: [UInt8](repeating: 7, count: 1 << 20)))
        XCTAssertEqual(client.response()?.text, "POST /max \(1 << 20)")
        XCTAssertEqual(server.requests.count, 1)
    }

    func testOversizedHeadIs431() throws {
        let server = try TestServer(config: limited())
        defer { server.stop() }
        let big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 5000))\r\n\r\n"
        try expectRejection(server, Array(big.utf8), 431)
        // A head that never ends is cut off at the cap, not buffered forever.
        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: a\r\n")
        var sent = 0
        while sent < 20_000, client.send(String(repeating: "X-Filler: yes\r\n", count: 100)) { sent += 1500 }
        XCTAssertTrue(client.readUntilClosed())
        XCTAssertEqual(ParsedResponse.parseAll(client.received).first?.status, 431)
        try assertHealthy(server)
    }

    func testSlowHeadersAreCutOffAtTheHeaderTimeout() throws {
        let server = try TestServer(config: limited())
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let started = ContinuousClock.now
        client.send("POST / HTTP/1.1\r\nHo")
        usleep(200_000)
        client.send("st: a\r\n")  // still trickling: the deadline counts from the first byte
        XCTAssertTrue(client.readUntilClosed())
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(ParsedResponse.parseAll(client.received).first?.status, 408)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(350))
        XCTAssertLessThan(elapsed, .seconds(5))
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testSilentAndIdleConnectionsAreClosed() throws {
        let server = try TestServer(config: limited())
        defer { server.stop() }
        let silent = try RawClient(port: server.port)
        XCTAssertTrue(silent.readUntilClosed())
        XCTAssertTrue(silent.received.isEmpty)  // nothing asked, nothing answered

        let idle = try RawClient(port: server.port)
        idle.send(post("/one"))
        XCTAssertEqual(idle.response()?.status, 200)
        let started = ContinuousClock.now
        XCTAssertTrue(idle.readUntilClosed())
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(500))
    }

    func testClientVanishingMidBodyNeverReachesHandler() throws {
        let server = try TestServer(config: limited())
        defer { server.stop() }
        for _ in 0..<5 {
            let client = try RawClient(port: server.port)
            client.send(Array("POST /cut HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n".utf8) + [UInt8](repeating: 1, count: 10))
        }  // each client closes here
        // A stalled body times out with 408.
        let stalled = try RawClient(port: server.port)
        stalled.send(Array("POST /stall HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nabc".utf8))
        XCTAssertTrue(stalled.readUntilClosed())
        XCTAssertEqual(ParsedResponse.parseAll(stalled.received).first?.status, 408)
        try assertHealthy(server)
        XCTAssertEqual(server.requests.map(\.target), ["/ok"])
    }

    func testConnectionsBeyondTheLimitGet503() throws {
        var config = limited()
        config.maxConnections = 2
        config.idleTimeout = .seconds(10)
        config.headerTimeout = .seconds(10)
        let server = try TestServer(config: config)
        defer { server.stop(grace: .zero) }
        let a = try RawClient(port: server.port), b = try RawClient(port: server.port)
        a.send(post("/a"))
        b.send(post("/b"))
        XCTAssertEqual(a.response()?.status, 200)
        XCTAssertEqual(b.response()?.status, 200)
        let c = try RawClient(port: server.port)
        XCTAssertTrue(c.readUntilClosed())
        XCTAssertEqual(ParsedResponse.parseAll(c.received).first?.status, 503)
        // A slot frees up when a connection ends.
        a.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(a.readUntilClosed())
        XCTAssertTrue(waitUntil(.seconds(5)) {
            guard let d = try? RawClient(port: server.port) else { return false }
            d.send(post("/d"))
            return d.response()?.status == 200
        })
    }
}
