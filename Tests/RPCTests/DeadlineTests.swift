import RPC
import XCTest

final class DeadlineTests: XCTestCase {
    func testDeadlineExceededReachesClientAndCancelsHandler() async throws {
        let handlerCancelled = expectation(description: "handler saw cancellation")
        let sawDeadline = expectation(description: "handler saw a deadline about 300 ms out")
        let test = try startServer { server in
            server.registerUnary("/t.S/Slow") { _, context in
                if let deadline = context.deadline {
                    let remaining = deadline - .now
                    // The server re-derives it from the grpc-timeout header on arrival, so it may
                    // land slightly after the client's own deadline.
                    if remaining > .zero && remaining <= .milliseconds(400) { sawDeadline.fulfill() }
                }
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch is CancellationError {
                    handlerCancelled.fulfill()
                }
                return []
            }
        }
        let started = ContinuousClock.now
        await expectStatus(.deadlineExceeded) {
            _ = try await test.channel.unary("/t.S/Slow", request: [], timeout: .milliseconds(300))
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        await fulfillment(of: [sawDeadline, handlerCancelled], timeout: 10)
    }

    func testNoTimeoutMeansNoDeadline() async throws {
        let seen = SeenMetadata()
        let test = try startServer { server in
            server.registerUnary("/t.S/Peek") { _, context in
                await seen.record(context)
                return []
            }
        }
        _ = try await test.channel.unary("/t.S/Peek", request: [])
        let context = await seen.context
        XCTAssertNotNil(context)
        XCTAssertNil(context?.deadline)
    }

    func testCancellingTheClientTaskCancelsTheCallAndTheHandler() async throws {
        let handlerStarted = expectation(description: "handler started")
        let handlerCancelled = expectation(description: "handler saw cancellation")
        let test = try startServer { server in
            server.registerUnary("/t.S/Wait") { _, _ in
                await withTaskCancellationHandler {
                    handlerStarted.fulfill()
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(10)) }
                } onCancel: {
                    handlerCancelled.fulfill()
                }
                return []
            }
        }
        let channel = test.channel
        let client = Task { try await channel.unary("/t.S/Wait", request: [], timeout: .seconds(30)) }
        await fulfillment(of: [handlerStarted], timeout: 10)
        client.cancel()
        await expectStatus(.cancelled) { _ = try await client.value }
        await fulfillment(of: [handlerCancelled], timeout: 10)
    }

    func testStreamDeadlineEndsStreamWithDeadlineExceeded() async throws {
        let test = try startServer { server in
            server.registerServerStreaming("/t.S/Trickle") { _, _, writer in
                while true {
                    try await writer.send([1])
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        var count = 0
        await expectStatus(.deadlineExceeded) {
            for try await _ in test.channel.serverStreaming("/t.S/Trickle", request: [], timeout: .milliseconds(400)) {
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 0)
    }
}
