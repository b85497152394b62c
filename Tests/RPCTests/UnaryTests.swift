import RPC
import TestSupport
import XCTest

final class UnaryTests: XCTestCase {
    func testEcho() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        let reply = try await test.channel.unary(EchoService.echo, request: Array("hello".utf8), timeout: .seconds(10))
        XCTAssertEqual(String(decoding: reply, as: UTF8.self), "hello")
        let empty = try await test.channel.unary(EchoService.echo, request: [], timeout: .seconds(10))
        XCTAssertEqual(empty, [])
    }

    func testHandlerStatusesAndDetailsRoundTrip() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        let cases: [(StatusCode, String)] = [
            (.permissionDenied, "⛔️ Run ID does not belong to the account"),
            (.failedPrecondition, "Node is not registered"),
            (.invalidArgument, "multi\nline, 100% \"quoted\" ünïcödé 日本"),
            (.notFound, ""),
            (.unauthenticated, "Invalid token."),
            (.resourceExhausted, "x"),
            (.internalError, "boom"),
            (.unavailable, "later"),
        ]
        for (code, message) in cases {
            let status = await expectStatus(code) {
                _ = try await test.channel.unary(
                    EchoService.fail, request: Array("\(code.rawValue)|\(message)".utf8), timeout: .seconds(10))
            }
            XCTAssertEqual(status?.message, message)
        }
    }

    func testNonStatusErrorBecomesUnknownWithDescription() async throws {
        struct Oops: Error, CustomStringConvertible { var description: String { "oops happened" } }
        let test = try startServer { $0.registerUnary("/t.S/Oops") { _, _ in throw Oops() } }
        let status = await expectStatus(.unknown) {
            _ = try await test.channel.unary("/t.S/Oops", request: [], timeout: .seconds(10))
        }
        XCTAssertEqual(status?.message, "oops happened")
    }

    func testUnknownMethodIsUnimplemented() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        await expectStatus(.unimplemented) {
            _ = try await test.channel.unary("/test.Echo/Nope", request: [1, 2, 3], timeout: .seconds(10))
        }
        // The server keeps serving afterwards.
        let reply = try await test.channel.unary(EchoService.echo, request: [9], timeout: .seconds(10))
        XCTAssertEqual(reply, [9])
    }

    func testTypedRegistrationDecodesAndReportsMalformedRequests() async throws {
        struct BadLength: Error, CustomStringConvertible { var description: String { "need 4 bytes" } }
        let test = try startServer { server in
            server.registerUnary(
                "/t.S/Add",
                decode: { (bytes: [UInt8]) throws -> (UInt8, UInt8) in
                    guard bytes.count == 2 else { throw BadLength() }
                    return (bytes[0], bytes[1])
                },
                encode: { (sum: Int) in [UInt8(sum)] },
                handler: { pair, _ in Int(pair.0) + Int(pair.1) })
        }
        let sum = try await test.channel.unary("/t.S/Add", request: [2, 3], timeout: .seconds(10))
        XCTAssertEqual(sum, [5])
        let status = await expectStatus(.invalidArgument) {
            _ = try await test.channel.unary("/t.S/Add", request: [1], timeout: .seconds(10))
        }
        XCTAssertEqual(status?.message, "Malformed request: need 4 bytes")
    }

    func testMetadataRoundTripIncludingBinaryValues() async throws {
        let binary: [UInt8] = [0x00, 0xFF, 0x00, 0x7F, 0x80] + randomBytes(64) + [0xFF, 0x00]
        let seen = SeenMetadata()
        let test = try startServer { server in
            server.registerUnary("/t.S/Meta") { _, context in
                await seen.record(context)
                return context.metadata.first("x-blob-bin") ?? []
            }
        }
        var metadata = Metadata()
        metadata.add("X-Text", "hello world")
        metadata.add("x-blob-bin", binary)
        metadata.add("x-multi", "one")
        metadata.add("x-multi", "two")
        let reply = try await test.channel.unary("/t.S/Meta", request: [], metadata: metadata, timeout: .seconds(10))
        XCTAssertEqual(reply, binary)
        let context = try await XCTUnwrapAsync(await seen.context)
        XCTAssertEqual(context.metadata.firstString("x-text"), "hello world")
        XCTAssertEqual(context.metadata.first("X-BLOB-BIN"), binary)
        XCTAssertEqual(context.metadata.values("x-multi").map { String(decoding: $0, as: UTF8.self) }, ["one", "two"])
        XCTAssertEqual(context.method, "/t.S/Meta")
        XCTAssertTrue(context.peer.contains("127.0.0.1"), context.peer)
        XCTAssertNotNil(context.deadline)
    }

    func testSixtyFourConcurrentCallsRunTheirHandlersConcurrently() async throws {
        let barrier = Barrier(parties: 64)
        let test = try startServer { server in
            server.registerUnary("/t.S/Together") { request, _ in
                await barrier.arriveAndWait()  // returns only once all 64 handlers run at once
                return request
            }
        }
        let channel = test.channel
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let payload = Array("call-\(index)".utf8) + randomBytes(100)
                    let reply = try await channel.unary("/t.S/Together", request: payload, timeout: .seconds(20))
                    XCTAssertEqual(reply, payload)
                }
            }
            try await group.waitForAll()
        }
        let arrived = await barrier.count
        XCTAssertEqual(arrived, 64)
    }

    func testTwoCompletionQueueThreadsServeConcurrentUnaryAndStreamingCalls() async throws {
        var config = ServerConfig()
        config.completionQueueThreads = 2
        config.pendingAccepts = 4
        let test = try startServer(config: config) { server in
            EchoService.register(on: server)
            server.registerServerStreaming("/t.S/Count") { request, _, writer in
                for index in 0..<Int(request[0]) { try await writer.send([UInt8(index)]) }
            }
        }
        let channel = test.channel
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    if index % 4 == 0 {
                        var received: [UInt8] = []
                        for try await message in channel.serverStreaming("/t.S/Count", request: [20], timeout: .seconds(30)) {
                            received += message
                        }
                        XCTAssertEqual(received, Array(0..<20))
                    } else {
                        let payload = randomBytes(index)
                        let reply = try await channel.unary(EchoService.echo, request: payload, timeout: .seconds(30))
                        XCTAssertEqual(reply, payload)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func testFiveMebibyteMessagesRoundTrip() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        let payload = randomBytes(5 * 1024 * 1024 + 17)
        let reply = try await test.channel.unary(EchoService.echo, request: payload, timeout: .seconds(30))
        XCTAssertEqual(reply.count, payload.count)
        XCTAssertTrue(reply == payload)
    }

    func testConfiguredLimitsRejectOversizedMessages() async throws {
        var config = ServerConfig()
        config.maxReceiveMessageBytes = 1024
        let test = try startServer(config: config) { EchoService.register(on: $0) }
        await expectStatus(.resourceExhausted) {
            _ = try await test.channel.unary(EchoService.echo, request: randomBytes(4096), timeout: .seconds(10))
        }
        let small = RPCChannel(target: test.target, maxMessageBytes: 100)
        defer { small.close() }
        await expectStatus(.resourceExhausted) {
            _ = try await small.unary(EchoService.echo, request: randomBytes(200), timeout: .seconds(10))
        }
    }

    func testNothingListeningIsUnavailable() async throws {
        let port = try await freePort()
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }
        await expectStatus(.unavailable) {
            _ = try await channel.unary(EchoService.echo, request: [], timeout: .seconds(10))
        }
    }

    func testClosedChannelFailsCallsWithUnavailable() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        let channel = RPCChannel(target: test.target)
        _ = try await channel.unary(EchoService.echo, request: [1], timeout: .seconds(10))
        channel.close()
        await expectStatus(.unavailable) {
            _ = try await channel.unary(EchoService.echo, request: [1], timeout: .seconds(10))
        }
    }
}

/// The first context a handler saw.
actor SeenMetadata {
    private(set) var context: ServerCallContext?
    func record(_ context: ServerCallContext) { self.context = context }
}

/// A port nothing listens on (bound once by a throw-away server, then released).
func freePort() async throws -> Int {
    let server = RPCServer()
    let port = try server.bind("127.0.0.1:0", tls: nil)
    await server.shutdown(grace: .zero)
    return port
}

final class ClientEdgeTests: XCTestCase {
    func testIllegalMetadataFailsTheCallLocally() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        var badKey = Metadata()
        badKey.add("bad key", "x")
        await expectStatus(.internalError) {
            _ = try await test.channel.unary(EchoService.echo, request: [], metadata: badKey, timeout: .seconds(10))
        }
        var badValue = Metadata()
        badValue.add("x-text", "line\nbreak")
        await expectStatus(.internalError) {
            _ = try await test.channel.unary(EchoService.echo, request: [], metadata: badValue, timeout: .seconds(10))
        }
        // The channel still works.
        let reply = try await test.channel.unary(EchoService.echo, request: [3], timeout: .seconds(10))
        XCTAssertEqual(reply, [3])
    }

    func testClosingAChannelWithACallInFlightNeitherHangsNorCrashes() async throws {
        let gate = Gate()
        let started = expectation(description: "handler started")
        let test = try startServer { server in
            server.registerUnary("/t.S/Gated") { request, _ in
                started.fulfill()
                await gate.wait()
                return request
            }
        }
        let channel = RPCChannel(target: test.target)
        let call = Task { try await channel.unary("/t.S/Gated", request: [5], timeout: .seconds(20)) }
        await fulfillment(of: [started], timeout: 10)
        channel.close()
        await gate.openGate()
        switch await call.result {
        case .success(let reply): XCTAssertEqual(reply, [5])
        case .failure(let error): XCTAssertNotNil(error as? RPCStatus, "\(error)")
        }
    }

    func testCancelledTaskFailsFastWithCancelled() async throws {
        let test = try startServer { EchoService.register(on: $0) }
        let channel = test.channel
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await channel.unary(EchoService.echo, request: [], timeout: .seconds(10))
        }
        await expectStatus(.cancelled) { _ = try await task.value }
    }
}
