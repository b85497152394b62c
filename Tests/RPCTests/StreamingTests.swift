import RPC
import Synchronization
import XCTest

final class StreamingTests: XCTestCase {
    func testServerStreamsNMessagesInOrder() async throws {
        let test = try startServer { server in
            server.registerServerStreaming("/t.S/Count") { request, _, writer in
                for index in 0..<Int(request[0]) { try await writer.send(Array("m\(index)".utf8)) }
            }
        }
        var received: [String] = []
        for try await message in test.channel.serverStreaming("/t.S/Count", request: [50], timeout: .seconds(20)) {
            received.append(String(decoding: message, as: UTF8.self))
        }
        XCTAssertEqual(received, (0..<50).map { "m\($0)" })
    }

    func testEmptyStreamEndsCleanly() async throws {
        let test = try startServer { $0.registerServerStreaming("/t.S/None") { _, _, _ in } }
        var count = 0
        for try await _ in test.channel.serverStreaming("/t.S/None", request: [], timeout: .seconds(10)) { count += 1 }
        XCTAssertEqual(count, 0)
    }

    func testStreamErrorAfterMessagesReachesConsumer() async throws {
        let test = try startServer { server in
            server.registerServerStreaming("/t.S/Fails") { _, _, writer in
                try await writer.send([1])
                try await writer.send([2])
                throw RPCStatus(.permissionDenied, "⛔️ stopped")
            }
        }
        var received: [[UInt8]] = []
        let status = await expectStatus(.permissionDenied) {
            for try await message in test.channel.serverStreaming("/t.S/Fails", request: [], timeout: .seconds(10)) {
                received.append(message)
            }
        }
        XCTAssertEqual(received, [[1], [2]])
        XCTAssertEqual(status?.message, "⛔️ stopped")
    }

    func testUnknownStreamingMethodIsUnimplemented() async throws {
        let test = try startServer { _ in }
        await expectStatus(.unimplemented) {
            for try await _ in test.channel.serverStreaming("/t.S/Missing", request: [], timeout: .seconds(10)) {}
        }
    }

    /// The client reads only when the consumer pulls, so a consumer that stops pulling stalls
    /// the server's sends (HTTP/2 flow control), and every message still arrives in order.
    func testConsumerPacesTheServer() async throws {
        let total = 200
        let messageBytes = 256 * 1024
        let sent = Atomic<Int>(0)
        let test = try startServer { server in
            server.registerServerStreaming("/t.S/Flood") { _, _, writer in
                for index in 0..<total {
                    var message = [UInt8](repeating: UInt8(index % 251), count: messageBytes)
                    message[0] = UInt8(index & 0xFF)
                    try await writer.send(message)
                    sent.add(1, ordering: .relaxed)
                }
            }
        }
        let stream = test.channel.serverStreaming("/t.S/Flood", request: [], timeout: .seconds(60))
        var iterator = stream.makeAsyncIterator()
        let first = try await iterator.next()
        XCTAssertEqual(first?.count, messageBytes)

        // Give the server ample time to push everything if nothing held it back (50 MiB).
        try await Task.sleep(for: .milliseconds(500))
        let sentWhilePaused = sent.load(ordering: .relaxed)
        XCTAssertLessThan(sentWhilePaused, total / 2, "server was not held back by the paused consumer")

        var count = 1
        while let message = try await iterator.next() {
            XCTAssertEqual(message[0], UInt8(count & 0xFF))
            XCTAssertEqual(message.count, messageBytes)
            count += 1
        }
        XCTAssertEqual(count, total)
        XCTAssertEqual(sent.load(ordering: .relaxed), total)
    }

    func testCancellingTheConsumerCancelsTheHandler() async throws {
        let handlerCancelled = expectation(description: "handler saw cancellation")
        let sendFailed = expectation(description: "send threw after cancel")
        let test = try startServer { server in
            server.registerServerStreaming("/t.S/Forever") { _, _, writer in
                do {
                    while true {
                        try await writer.send([7])
                        try await Task.sleep(for: .milliseconds(5))
                    }
                } catch {
                    if Task.isCancelled { handlerCancelled.fulfill() }
                    if error is RPCStatus || error is CancellationError { sendFailed.fulfill() }
                    throw error
                }
            }
        }
        let channel = test.channel
        let gotOne = expectation(description: "consumer got a message")
        let consumer = Task {
            var count = 0
            for try await _ in channel.serverStreaming("/t.S/Forever", request: [], timeout: .seconds(30)) {
                count += 1
                if count == 3 { gotOne.fulfill() }
            }
        }
        await fulfillment(of: [gotOne], timeout: 10)
        consumer.cancel()
        await fulfillment(of: [handlerCancelled, sendFailed], timeout: 10)
        let result = await consumer.result
        if case .success = result {
            // The unfolding stream may end quietly on cancellation; both are fine.
        }
    }

    func testBreakingOutOfTheLoopCancelsTheHandler() async throws {
        let handlerCancelled = expectation(description: "handler saw cancellation")
        let test = try startServer { server in
            server.registerServerStreaming("/t.S/Forever") { _, _, writer in
                try await writer.send([1])
                await withTaskCancellationHandler {
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(10)) }
                } onCancel: {
                    handlerCancelled.fulfill()
                }
            }
        }
        do {
            for try await _ in test.channel.serverStreaming("/t.S/Forever", request: [], timeout: .seconds(30)) {
                break
            }
        }
        await fulfillment(of: [handlerCancelled], timeout: 10)
    }
}
