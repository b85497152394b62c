@testable import HTTP
import XCTest

final class RequestHeadParserTests: XCTestCase {
    private let config = HTTPServerConfig()

    private func parse(_ text: String) -> Result<RequestHead, RejectedRequest> {
        let bytes = Array(text.utf8)
        guard let end = RequestHeadParser.headEnd(in: bytes) else { return .failure(RejectedRequest(status: -1)) }
        return RequestHeadParser.parse(bytes[0..<end], config: config)
    }

    private func status(_ text: String) -> Int? {
        if case .failure(let r) = parse(text) { return r.status }
        return nil
    }

    func testHeadEndFindsCRLFAndBareLF() {
        XCTAssertEqual(RequestHeadParser.headEnd(in: Array("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY".utf8)), 27)
        XCTAssertEqual(RequestHeadParser.headEnd(in: Array("GET / HTTP/1.1\nHost: a\n\nBODY".utf8)), 24)
        XCTAssertNil(RequestHeadParser.headEnd(in: Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8)))
        // A search resumed after a boundary inside the terminator still finds it.
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let resume = RequestHeadParser.resumeOffset(afterSearching: 25)
        XCTAssertEqual(RequestHeadParser.headEnd(in: bytes, searchFrom: resume), 27)
    }

    func testParsesAFlowerRequest() throws {
        let head = try parse(
            "POST /api/v0/fleet/pull-messages?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9095\r\n"
                + "Content-Type:  application/protobuf \r\nAccept: application/protobuf\r\nContent-Length: 12\r\n\r\n"
        ).get()
        XCTAssertEqual(head.method, "POST")
        XCTAssertEqual(head.target, "/api/v0/fleet/pull-messages?x=1")
        XCTAssertEqual(head.version, .http11)
        XCTAssertEqual(head.headers.first("content-type"), "application/protobuf")
        XCTAssertEqual(head.headers.first("CONTENT-TYPE"), "application/protobuf")
        XCTAssertEqual(head.contentLength, 12)
        XCTAssertTrue(head.keepAlive)
        XCTAssertFalse(head.expectsContinue)
        XCTAssertEqual(HTTPRequest(method: "POST", target: head.target).path, "/api/v0/fleet/pull-messages")
    }

    func testConnectionSemantics() throws {
        XCTAssertFalse(try parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").get().keepAlive)
        XCTAssertFalse(try parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n").get().keepAlive)
        XCTAssertFalse(try parse("GET / HTTP/1.0\r\n\r\n").get().keepAlive)  // HTTP/1.0 needs no Host
        XCTAssertTrue(try parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n").get().expectsContinue)
        XCTAssertEqual(try parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").get().contentLength, 0)
        XCTAssertEqual(try parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n").get().contentLength, 5)
    }

    func testMalformedSyntaxIs400() {
        XCTAssertEqual(status("\u{1}garbage\r\n\r\n"), 400)
        XCTAssertEqual(status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400)  // two spaces
        XCTAssertEqual(status("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\n\r\n"), 400)  // no Host
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n"), 400)  // space before colon
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"), 400)  // obs-fold
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / FOO/1.1\r\nHost: a\r\n\r\n"), 400)
    }

    func testUnsupportedFeaturesGetTheirOwnStatus() {
        XCTAssertEqual(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), 501)
        XCTAssertEqual(
            status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"), 501)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n"), 417)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(config.maxBodyBytes + 1)\r\n\r\n"), 413)
        let many = (0...config.maxHeaderCount).map { "X-\($0): v\r\n" }.joined()
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n"), 431)
    }

    func testDateFormat() {
        XCTAssertEqual(HTTPDate.format(unixSeconds: 784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
