import RPC
import XCTest

final class ServerLifecycleTests: XCTestCase {
    func testPortZeroReturnsARealPortThatServes() async throws {
        let server = RPCServer()
        EchoService.register(on: server)
        let port = try server.bind("127.0.0.1:0", tls: nil)
        XCTAssertGreaterThan(port, 0)
        XCTAssertLessThanOrEqual(port, 65535)
        try server.start()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        let reply = try await channel.unary(EchoService.echo, request: [42], timeout: .seconds(10))
        XCTAssertEqual(reply, [42])
        channel.close()
        await server.shutdown(grace: .zero)
    }

    func testSecondBindOfATakenPortIsAddressInUse() async throws {
        let first = RPCServer()
        let port = try first.bind("127.0.0.1:0", tls: nil)
        try first.start()
        let second = RPCServer()
        XCTAssertThrowsError(try second.bind("127.0.0.1:\(port)", tls: nil)) { error in
            XCTAssertEqual(error as? RPCError, .addressInUse("127.0.0.1:\(port)"))
        }
        // Also across the wildcard address, as Flower's "0.0.0.0:9092" would be.
        XCTAssertThrowsError(try second.bind("0.0.0.0:\(port)", tls: nil)) { error in
            XCTAssertEqual(error as? RPCError, .addressInUse("0.0.0.0:\(port)"))
        }
        await second.shutdown(grace: .zero)
        await first.shutdown(grace: .zero)
    }

    func testMalformedAddressesAreInvalid() async throws {
        let server = RPCServer()
        for address in ["nonsense", "127.0.0.1:99999", "127.0.0.1:x", "::1:80", "no-such-host.invalid:0"] {
            XCTAssertThrowsError(try server.bind(address, tls: nil), address) { error in
                XCTAssertEqual(error as? RPCError, .invalidAddress(address))
            }
        }
        await server.shutdown(grace: .zero)
    }

    func testIPv6AndHostnameAddressesBind() async throws {
        let server = RPCServer()
        EchoService.register(on: server)
        let v6 = try server.bind("[::1]:0", tls: nil)
        let named = try server.bind("localhost:0", tls: nil)
        try server.start()
        for target in ["[::1]:\(v6)", "localhost:\(named)"] {
            let channel = RPCChannel(target: target)
            let reply = try await channel.unary(EchoService.echo, request: [6], timeout: .seconds(10))
            XCTAssertEqual(reply, [6], target)
            channel.close()
        }
        await server.shutdown(grace: .zero)
    }

    func testBindAfterStartAndDoubleStartAreRefused() async throws {
        let server = RPCServer()
        _ = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        XCTAssertThrowsError(try server.start())
        XCTAssertThrowsError(try server.bind("127.0.0.1:0", tls: nil))
        await server.shutdown(grace: .zero)
        await server.shutdown(grace: .zero)  // idempotent
    }

    func testShutdownOfANeverStartedServer() async throws {
        let server = RPCServer()
        _ = try server.bind("127.0.0.1:0", tls: nil)
        await server.shutdown(grace: .seconds(1))
        let unbound = RPCServer()
        await unbound.shutdown(grace: .zero)
    }

    func testGracefulShutdownLetsAnInFlightCallFinish() async throws {
        let gate = Gate()
        let handlerStarted = expectation(description: "handler started")
        let server = RPCServer()
        server.registerUnary("/t.S/Gated") { request, _ in
            handlerStarted.fulfill()
            await gate.wait()
            return request
        }
        let port = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }

        let call = Task { try await channel.unary("/t.S/Gated", request: [1, 2], timeout: .seconds(30)) }
        await fulfillment(of: [handlerStarted], timeout: 10)
        let shutdownDone = expectation(description: "shutdown returned")
        let shutdown = Task {
            await server.shutdown(grace: .seconds(20))
            shutdownDone.fulfill()
        }
        // New calls are refused while the old one drains. Shutdown starts on another thread,
        // so probe with a method that answers at once until the refusal shows.
        let refused = RPCChannel(target: "127.0.0.1:\(port)")
        let probeDeadline = ContinuousClock.now + .seconds(10)
        var refusal: RPCStatus?
        while refusal == nil, ContinuousClock.now < probeDeadline {
            do {
                _ = try await refused.unary("/t.S/Unknown", request: [], timeout: .seconds(5))
            } catch where error.code == .unimplemented {
                try await Task.sleep(for: .milliseconds(5))  // not shutting down yet
            } catch {
                refusal = error
            }
        }
        XCTAssertTrue([.unavailable, .cancelled].contains(refusal?.code), "\(String(describing: refusal))")
        refused.close()
        await gate.openGate()
        let reply = try await call.value
        XCTAssertEqual(reply, [1, 2])
        await fulfillment(of: [shutdownDone], timeout: 10)
        await shutdown.value
    }

    func testShutdownCancelsCallsStillRunningAfterGrace() async throws {
        let handlerCancelled = expectation(description: "handler cancelled")
        let streamHandlerCancelled = expectation(description: "stream handler cancelled")
        let started = expectation(description: "both handlers started")
        started.expectedFulfillmentCount = 2
        let server = RPCServer()
        server.registerUnary("/t.S/Stuck") { _, _ in
            started.fulfill()
            do { try await Task.sleep(for: .seconds(60)) } catch { handlerCancelled.fulfill() }
            return []
        }
        server.registerServerStreaming("/t.S/Open") { _, _, writer in
            try await writer.send([1])
            started.fulfill()
            do {
                while true {
                    try await Task.sleep(for: .milliseconds(10))
                    try await writer.send([2])
                }
            } catch {
                streamHandlerCancelled.fulfill()
                throw error
            }
        }
        let port = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }
        let unary = Task { try await channel.unary("/t.S/Stuck", request: [], timeout: .seconds(60)) }
        let stream = Task {
            for try await _ in channel.serverStreaming("/t.S/Open", request: [], timeout: .seconds(60)) {}
        }
        await fulfillment(of: [started], timeout: 10)
        let before = ContinuousClock.now
        await server.shutdown(grace: .milliseconds(200))
        XCTAssertLessThan(ContinuousClock.now - before, .seconds(10))
        await fulfillment(of: [handlerCancelled, streamHandlerCancelled], timeout: 10)
        switch await unary.result {
        case .success: XCTFail("stuck call should not succeed")
        case .failure(let error): XCTAssertNotNil(error as? RPCStatus, "\(error)")
        }
        switch await stream.result {
        case .success: XCTFail("open stream should end with an error")
        case .failure(let error): XCTAssertNotNil(error as? RPCStatus, "\(error)")
        }
    }

    func testShutdownWithManyCallsInFlightDoesNotCrash() async throws {
        let server = RPCServer()
        EchoService.register(on: server)
        server.registerUnary("/t.S/Sleepy") { request, _ in
            try await Task.sleep(for: .milliseconds(Int(request.first ?? 0)))
            return request
        }
        let port = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }
        let calls = (0..<100).map { index in
            Task { try await channel.unary("/t.S/Sleepy", request: [UInt8(index)], timeout: .seconds(30)) }
        }
        _ = try await channel.unary(EchoService.echo, request: [], timeout: .seconds(10))
        await server.shutdown(grace: .milliseconds(50))
        for call in calls { _ = await call.result }
    }
}

final class StubbornHandlerTests: XCTestCase {
    /// A handler that ignores cancellation cannot hold shutdown hostage, and its late send
    /// fails instead of touching freed C state.
    func testShutdownDoesNotWaitForeverForAHandlerIgnoringCancellation() async throws {
        let started = expectation(description: "handler started")
        let lateSendFailed = expectation(description: "late send failed")
        let release = Gate()
        var config = ServerConfig()
        config.handlerDrainTimeout = .milliseconds(200)
        let server = RPCServer(config: config)
        server.registerServerStreaming("/t.S/Stubborn") { _, _, writer in
            try await writer.send([1])
            started.fulfill()
            await release.wait()  // ignores cancellation
            do { try await writer.send([2]) } catch { lateSendFailed.fulfill() }
        }
        let port = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }
        let stream = Task { for try await _ in channel.serverStreaming("/t.S/Stubborn", request: []) {} }
        await fulfillment(of: [started], timeout: 10)
        let before = ContinuousClock.now
        await server.shutdown(grace: .milliseconds(100))
        XCTAssertLessThan(ContinuousClock.now - before, .seconds(5))
        await release.openGate()
        await fulfillment(of: [lateSendFailed], timeout: 10)
        _ = await stream.result
    }
}
