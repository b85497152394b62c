import Foundation
import HTTP
import TestSupport
import XCTest

final class TLSTests: XCTestCase {
    private static let certificates = Result { try TestCertificates.generate() }

    private func certs() throws -> TestCertificates { try Self.certificates.get() }

    func testHTTPSRequestsOverOneConnection() throws {
        let c = try certs()
        let server = try TestServer(tls: HTTPTLSConfig(certificateChainPEM: c.serverChainPEM, privateKeyPEM: c.serverKeyPEM))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.startTLS(caPEM: c.caPEM)
        XCTAssertNotNil(client.tlsVersion)
        let body = [UInt8](repeating: 42, count: 300_000)
        client.send(post("/secure", body: body) + post("/again"))
        XCTAssertEqual(client.responses(2).map(\.text), ["POST /secure 300000", "POST /again 0"])
        XCTAssertEqual(server.requests.first?.body, body)
    }

    func testPlainTextToHTTPSPortFailsCleanlyAndServerKeepsServing() throws {
        let c = try certs()
        var config = HTTPServerConfig()
        config.headerTimeout = .milliseconds(500)
        let server = try TestServer(
            config: config, tls: HTTPTLSConfig(certificateChainPEM: c.serverChainPEM, privateKeyPEM: c.serverKeyPEM))
        defer { server.stop() }
        let plain = try RawClient(port: server.port)
        plain.send(post("/plain"))
        XCTAssertTrue(plain.readUntilClosed())
        XCTAssertFalse(String(decoding: plain.received, as: UTF8.self).contains("POST /plain"))
        let silent = try RawClient(port: server.port)  // never starts a handshake
        XCTAssertTrue(silent.readUntilClosed())
        XCTAssertTrue(server.requests.isEmpty)
        let good = try RawClient(port: server.port)
        try good.startTLS(caPEM: c.caPEM)
        good.send(post("/ok"))
        XCTAssertEqual(good.response()?.text, "POST /ok 0")
    }

    func testBadTLSMaterialIsRefusedAtBind() throws {
        let c = try certs()
        let cases: [(HTTPTLSConfig, String)] = [
            (HTTPTLSConfig(certificateChainPEM: Array("not a pem".utf8), privateKeyPEM: c.serverKeyPEM), "garbage certificate"),
            (HTTPTLSConfig(certificateChainPEM: c.serverChainPEM, privateKeyPEM: Array("nope".utf8)), "garbage key"),
            (HTTPTLSConfig(certificateChainPEM: c.serverChainPEM, privateKeyPEM: c.otherKeyPEM), "mismatched key"),
        ]
        for (tls, name) in cases {
            let server = HTTPServer { _ in .text(200, "") }
            XCTAssertThrowsError(try server.bind("127.0.0.1:0", tls: tls), name) { error in
                guard case .tls = error as? HTTPError else { return XCTFail("\(name): \(error)") }
            }
        }
    }
}
