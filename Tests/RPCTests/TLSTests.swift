import RPC
import TestSupport
import XCTest

final class TLSTests: XCTestCase {
    nonisolated(unsafe) private static var certificates: TestCertificates?
    nonisolated(unsafe) private static var setupError: Error?

    override class func setUp() {
        super.setUp()
        do { certificates = try TestCertificates.generate() } catch { setupError = error }
    }

    private func certs() throws -> TestCertificates {
        if let error = Self.setupError { throw error }
        return try XCTUnwrap(Self.certificates)
    }

    private func startTLSServer(_ certs: TestCertificates) throws -> (RPCServer, Int) {
        let server = RPCServer()
        EchoService.register(on: server)
        let tls = TLSServerConfig(
            rootCertificatesPEM: certs.caPEM, certificateChainPEM: certs.serverChainPEM, privateKeyPEM: certs.serverKeyPEM)
        let port = try server.bind("127.0.0.1:0", tls: tls)
        try server.start()
        addTeardownBlock { await server.shutdown(grace: .zero) }
        return (server, port)
    }

    func testTLSRoundTripByIPAndHostname() async throws {
        let certs = try certs()
        let (_, port) = try startTLSServer(certs)
        for target in ["127.0.0.1:\(port)", "localhost:\(port)"] {
            let channel = RPCChannel(target: target, tls: TLSClientConfig(rootCertificatesPEM: certs.caPEM))
            let payload = randomBytes(100_000)
            let reply = try await channel.unary(EchoService.echo, request: payload, timeout: .seconds(20))
            XCTAssertEqual(reply, payload, target)
            let status = await expectStatus(.permissionDenied) {
                _ = try await channel.unary(EchoService.fail, request: Array("7|⛔️ nope".utf8), timeout: .seconds(20))
            }
            XCTAssertEqual(status?.message, "⛔️ nope")
            channel.close()
        }
    }

    func testInsecureClientToTLSPortFails() async throws {
        let (_, port) = try startTLSServer(try certs())
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }
        await expectStatus(.unavailable) {
            _ = try await channel.unary(EchoService.echo, request: [1], timeout: .seconds(5))
        }
    }

    func testClientTrustingAnotherCAFails() async throws {
        let certs = try certs()
        let (_, port) = try startTLSServer(certs)
        let channel = RPCChannel(target: "127.0.0.1:\(port)", tls: TLSClientConfig(rootCertificatesPEM: certs.otherCAPEM))
        defer { channel.close() }
        await expectStatus(.unavailable) {
            _ = try await channel.unary(EchoService.echo, request: [1], timeout: .seconds(5))
        }
    }

    func testTLSClientToPlaintextPortFails() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        let channel = RPCChannel(target: test.target, tls: TLSClientConfig(rootCertificatesPEM: try certs().caPEM))
        defer { channel.close() }
        await expectStatus(.unavailable) {
            _ = try await channel.unary(EchoService.echo, request: [1], timeout: .seconds(5))
        }
    }

    func testBadKeyMaterialIsATLSError() async throws {
        let certs = try certs()
        let server = RPCServer()
        let garbage = TLSServerConfig(certificateChainPEM: Array("not a cert".utf8), privateKeyPEM: Array("nor a key".utf8))
        XCTAssertThrowsError(try server.bind("127.0.0.1:0", tls: garbage)) { error in
            guard case .tls = error as? RPCError else { return XCTFail("\(error)") }
        }
        let empty = TLSServerConfig(certificateChainPEM: certs.serverChainPEM, privateKeyPEM: [])
        XCTAssertThrowsError(try server.bind("127.0.0.1:0", tls: empty)) { error in
            guard case .tls = error as? RPCError else { return XCTFail("\(error)") }
        }
        await server.shutdown(grace: .zero)
    }
}
