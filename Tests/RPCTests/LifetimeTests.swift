import RPC
import Synchronization
import XCTest

/// Servers and channels are freed once their users drop them (no reference cycles through
/// completion-queue threads, calls or handlers).
final class LifetimeTests: XCTestCase {
    func testServerAndChannelAreFreedAfterUse() async throws {
        weak var weakServer: RPCServer?
        weak var weakChannel: RPCChannel?
        do {
            let server = RPCServer()
            EchoService.register(on: server)
            server.registerServerStreaming("/t.S/Two") { _, _, writer in
                try await writer.send([1])
                try await writer.send([2])
            }
            let port = try server.bind("127.0.0.1:0", tls: nil)
            try server.start()
            let channel = RPCChannel(target: "127.0.0.1:\(port)")
            _ = try await channel.unary(EchoService.echo, request: [1], timeout: .seconds(10))
            for try await _ in channel.serverStreaming("/t.S/Two", request: [], timeout: .seconds(10)) {}
            weakServer = server
            weakChannel = channel
            channel.close()
            await server.shutdown(grace: .seconds(1))
        }
        XCTAssertNil(weakChannel)
        XCTAssertNil(weakServer)
    }

    func testDroppingAStartedServerShutsItDown() async throws {
        var port = 0
        do {
            let server = RPCServer()
            port = try server.bind("127.0.0.1:0", tls: nil)
            try server.start()
        }
        // The port is free again, so the dropped server really stopped.
        let again = RPCServer()
        XCTAssertEqual(try again.bind("127.0.0.1:\(port)", tls: nil), port)
        await again.shutdown(grace: .zero)
    }
}

final class CoreLogTests: XCTestCase {
    func testCoreLogLinesCanBeRouted() async throws {
        let lines = LogLines()
        CoreLog.route { severity, message in lines.append(severity, message) }
        defer { CoreLog.route(nil) }
        let first = RPCServer()
        let port = try first.bind("127.0.0.1:0", tls: nil)
        let second = RPCServer()
        XCTAssertThrowsError(try second.bind("127.0.0.1:\(port)", tls: nil))
        let logged = lines.all
        XCTAssertTrue(
            logged.contains { $0.0 == .error && $0.1.contains("Address already in use") }, "\(logged)")
        await second.shutdown(grace: .zero)
        await first.shutdown(grace: .zero)
    }
}

final class LogLines: Sendable {
    private let lines = Mutex<[(CoreLog.Severity, String)]>([])
    func append(_ severity: CoreLog.Severity, _ message: String) { lines.withLock { $0.append((severity, message)) } }
    var all: [(CoreLog.Severity, String)] { lines.withLock { $0 } }
}
