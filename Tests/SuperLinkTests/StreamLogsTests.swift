import FlowerProto
import RPC
import TestSupport
import XCTest

/// Control `StreamLogs` (protocol §2.7): ServerApp logs pushed over ServerAppIo stream to the CLI
/// in order; the stream ends when the run finishes; a client that goes away ends the server loop.
final class StreamLogsTests: XCTestCase {
    private func pushLogs(_ link: TestLink, _ runID: UInt64, _ lines: [String]) async throws {
        var req = FlwrPushLogsRequest()
        req.runID = runID
        req.logs = lines
        _ = try await link.appIo(FlwrServerAppIo.pushLogs, req)
        // Log rows are keyed by (timestamp, run): a real clock moves between pushes, so does ours.
        link.clock.advance(0.001)
    }

    private static func stream(_ link: TestLink, _ runID: UInt64, after: Double = 0)
        -> AsyncThrowingStream<[UInt8], Error>.AsyncIterator
    {
        var req = FlwrStreamLogsRequest()
        req.runID = runID
        req.afterTimestamp = after
        return link.controlChannel.serverStreaming(
            FlwrControl.streamLogs.path, request: req.serializedBytes(), timeout: .seconds(30)
        ).makeAsyncIterator()
    }

    /// Reads until `expected` text has arrived (it may come in one or several messages).
    private static func read(
        _ it: inout AsyncThrowingStream<[UInt8], Error>.AsyncIterator, until expected: String
    ) async throws -> (text: String, latest: Double) {
        var text = ""
        var latest = 0.0
        while text.count < expected.count {
            let bytes = try await it.next()
            let message = try FlwrStreamLogsResponse(serializedBytes: try XCTUnwrap(bytes, "stream ended early"))
            text += message.logOutput
            XCTAssertGreaterThanOrEqual(message.latestTimestamp, latest)
            latest = message.latestTimestamp
        }
        XCTAssertEqual(text, expected)
        return (text, latest)
    }

    func testLogsArriveInOrderAndTheStreamEndsWithTheRun() async throws {
        try await forEachBackend { link in
            let (runID, _) = try await link.runningRun()
            try await pushLogs(link, runID, ["INFO: starting\n", "INFO: round 1\n"])
            var it = Self.stream(link, runID)
            let first = try await Self.read(&it, until: "INFO: starting\nINFO: round 1\n")
            try await pushLogs(link, runID, ["INFO: round 2\n"])
            try await pushLogs(link, runID, ["INFO: round 3\n"])
            _ = try await Self.read(&it, until: "INFO: round 2\nINFO: round 3\n")
            try await pushLogs(link, runID, ["INFO: done\n"])
            try await link.updateRunStatus(runID, "finished", "completed")
            // Everything logged before the run finished is sent, then the stream ends cleanly.
            _ = try await Self.read(&it, until: "INFO: done\n")
            let end = try await it.next()
            XCTAssertNil(end, link.backend.rawValue)

            // A reconnecting CLI passes its last timestamp and gets only what came after.
            var resumed = Self.stream(link, runID, after: first.latest)
            _ = try await Self.read(&resumed, until: "INFO: round 2\nINFO: round 3\nINFO: done\n")
            let resumedEnd = try await resumed.next()
            XCTAssertNil(resumedEnd)
        }
    }

    func testStreamOfAStoppedRunEnds() async throws {
        try await withLink { link in
            let runID = try await link.startRun()
            var it = Self.stream(link, runID)
            let stopped = try await link.stopRun(runID)
            XCTAssertTrue(stopped)
            let end = try await it.next()
            XCTAssertNil(end)
        }
    }

    func testClientCancelEndsTheServerLoop() async throws {
        try await withLink { link in
            let (runID, _) = try await link.runningRun()
            try await pushLogs(link, runID, ["hello\n"])
            let reader = Task {
                var it = Self.stream(link, runID)
                _ = try await Self.read(&it, until: "hello\n")
                // Then wait for more, forever.
                _ = try await it.next()
            }
            // The loop polls the log every 50 ms while the client is there.
            let polling = await eventually { link.state.count("serverAppLog") >= 3 }
            XCTAssertTrue(polling, "the stream never polled")
            reader.cancel()
            _ = await reader.result  // a cancelled read ends the consumer, one way or another
            // The server loop notices and stops polling.
            var settled = false
            var last = link.state.count("serverAppLog")
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(300))  // six poll intervals
                let now = link.state.count("serverAppLog")
                if now == last {
                    settled = true
                    break
                }
                last = now
            }
            XCTAssertTrue(settled, "StreamLogs kept polling after the client went away")
        }
    }
}
