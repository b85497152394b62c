import Foundation
import RPC
import XCTest

/// A started server on an ephemeral loopback port plus a channel to it, shut down at teardown.
struct TestServer {
    let server: RPCServer
    let port: Int
    let channel: RPCChannel

    var target: String { "127.0.0.1:\(port)" }
}

extension XCTestCase {
    /// Starts a server configured by `register`; shuts it down (and closes the channel) when
    /// the test ends.
    func startServer(
        config: ServerConfig = .init(), _ register: (RPCServer) -> Void
    ) throws -> TestServer {
        let server = RPCServer(config: config)
        register(server)
        let port = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        addTeardownBlock {
            channel.close()
            await server.shutdown(grace: .zero)
        }
        return TestServer(server: server, port: port, channel: channel)
    }
}

/// Echo and friends, registered on most test servers.
enum EchoService {
    static let echo = "/test.Echo/Say"
    static let fail = "/test.Echo/Fail"

    static func register(on server: RPCServer) {
        server.registerUnary(echo) { request, _ in request }
        // The request is "<code>|<message>"; the handler throws that status.
        server.registerUnary(fail) { request, _ in
            let text = String(decoding: request, as: UTF8.self)
            let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            throw RPCStatus(StatusCode(rawValue: Int32(parts[0])!), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}

/// Random bytes for payloads.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        var offset = 0
        while offset < raw.count {
            var word = generator.next()
            let chunk = min(8, raw.count - offset)
            withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: chunk) }
            offset += chunk
        }
    }
    return bytes
}

/// Asserts that `body` throws an `RPCStatus` with `code`, returning it.
@discardableResult
func expectStatus(
    _ code: StatusCode, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void
) async -> RPCStatus? {
    do {
        try await body()
        XCTFail("expected \(code), got success", file: file, line: line)
        return nil
    } catch let status as RPCStatus {
        XCTAssertEqual(status.code, code, "status: \(status)", file: file, line: line)
        return status
    } catch {
        XCTFail("expected RPCStatus \(code), got \(error)", file: file, line: line)
        return nil
    }
}

/// A gate a handler waits on until the test opens it.
actor Gate {
    private var open = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if open { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func openGate() {
        open = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}

/// Lets `parties` tasks continue only once all of them have arrived.
actor Barrier {
    private let parties: Int
    private var arrived = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() async {
        arrived += 1
        if arrived >= parties {
            waiters.forEach { $0.resume() }
            waiters = []
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    var count: Int { arrived }
}
