import FlowerTime
import LinkState
import TestSupport
import XCTest

final class TokenTests: XCTestCase {
    func testTokenOnlyForPendingRunsAndOnlyOnce() async throws {
        try await forEachBackend { name, state, clock in
            try await assertNil(await state.requestToken(runID: 3), name)
            let runID = try await Make.pendingRun(state)
            clock.advance(2)
            let token = try await XCTUnwrapAsync(await state.requestToken(runID: runID))
            XCTAssertEqual(token.count, 256, name)
            XCTAssertTrue(token.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, name)
            let run = try await XCTUnwrapAsync(await state.run(runID))
            XCTAssertEqual(run.phase, .starting, name)
            XCTAssertEqual(run.startingAt, FlowerTimestamp.iso(clock.now), name)
            try await assertNil(await state.requestToken(runID: runID), "\(name) second token")
            // Not for running or finished runs either ([QUIRK] fixed).
            _ = try await state.startApp(token: token)
            try await assertNil(await state.requestToken(runID: runID), "\(name) running")
            let finished = try await RunLifecycleTests.run(in: .finished, state)
            try await assertNil(await state.requestToken(runID: finished), "\(name) finished")
            let stopped = try await Make.pendingRun(state)
            _ = try await state.stopRun(runID: stopped, flwrAid: "alice")
            try await assertNil(await state.requestToken(runID: stopped), "\(name) stopped")
        }
    }

    func testStartAndFinishApp() async throws {
        try await forEachBackend { name, state, clock in
            try await assertEqual(await state.startApp(token: "nope"), .invalidToken, name)
            let runID = try await Make.pendingRun(state)
            let token = try await XCTUnwrapAsync(await state.requestToken(runID: runID))
            clock.advance(1)
            // The caller's check (the FAB is there) comes before the transition: refused, nothing moves.
            try await assertEqual(await state.startApp(token: token) { $0.runID != runID }, .failed(runID: runID), name)
            try await assertEqual(await state.run(runID)?.phase, .starting, name)
            try await assertEqual(await state.run(runID)?.runningAt, "", name)
            guard case .started(let run, let context) = try await state.startApp(token: token, canStart: { $0.runID == runID })
            else {
                return XCTFail(name)
            }
            XCTAssertEqual(run.phase, .running, name)
            XCTAssertEqual(run.runningAt, FlowerTimestamp.iso(clock.now), name)
            XCTAssertEqual(context, Array("context-\(runID)".utf8), name)
            // A second start is refused: the run is no longer starting.
            try await assertEqual(await state.startApp(token: token), .failed(runID: runID), name)

            let other = try await Make.pendingRun(state)
            try await assertEqual(await state.finishApp(token: token, runID: other, context: [1]), .invalidToken, name)
            try await assertEqual(await state.finishApp(token: "x", runID: runID, context: [1]), .invalidToken, name)
            try await assertEqual(await state.finishApp(token: token, runID: runID, context: [9, 9]), .stored, name)
            try await assertEqual(await state.serverAppContext(runID: runID), [9, 9], name)
            // The token is gone.
            try await assertEqual(await state.finishApp(token: token, runID: runID, context: [1]), .invalidToken, name)
            try await assertFalse(await state.acknowledgeAppHeartbeat(token: token), name)
        }
    }

    func testFinishAppNeedsARunningRun() async throws {
        try await forEachBackend { name, state, _ in
            let runID = try await Make.pendingRun(state)
            let token = try await XCTUnwrapAsync(await state.requestToken(runID: runID))
            guard case .runNotRunning(let run) = try await state.finishApp(token: token, runID: runID, context: [1]) else {
                return XCTFail(name)
            }
            XCTAssertEqual(run.phase, .starting, name)
            try await assertEqual(await state.serverAppContext(runID: runID), Array("context-\(runID)".utf8), name)
        }
    }

    func testHeartbeatKeepsTheTokenAlive() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, token) = try await Make.runningRun(state)
            clock.advance(29)
            try await assertTrue(await state.acknowledgeAppHeartbeat(token: token), name)  // now + 60
            clock.advance(59)
            try await assertTrue(await state.acknowledgeAppHeartbeat(token: token), name)
            clock.advance(60)
            try await assertEqual(await state.run(runID)?.phase, .running, "\(name) exactly at active_until")
            clock.advance(0.5)
            try await assertFalse(await state.acknowledgeAppHeartbeat(token: token), name)
            try await assertEqual(await state.run(runID)?.subStatus, "failed", name)
            try await assertFalse(await state.acknowledgeAppHeartbeat(token: "unknown"), name)
        }
    }

    func testExpiryFailsTheRunAtActiveUntil() async throws {
        try await forEachBackend { name, state, clock in
            // A starting run (token granted, app never started).
            let starting = try await Make.pendingRun(state)
            let t0 = clock.now
            _ = try await state.requestToken(runID: starting)
            clock.advance(30.5)
            let run = try await XCTUnwrapAsync(await state.run(starting))
            XCTAssertEqual(run.phase, .finished, name)
            XCTAssertEqual(run.subStatus, "failed", name)
            XCTAssertEqual(run.details, "No heartbeat received from the run.", name)
            XCTAssertEqual(run.finishedAt, FlowerTimestamp.iso(t0 + 30), name)

            // A running run, found by the global sweep.
            let (running, token) = try await Make.runningRun(state)
            let t1 = clock.now
            clock.advance(10)
            _ = try await state.acknowledgeAppHeartbeat(token: token)  // active_until = t1 + 70
            clock.advance(61)
            try await assertEqual(await state.sweep(), [running], name)
            try await assertEqual(await state.sweep(), [], name)
            let failed = try await XCTUnwrapAsync(await state.run(running))
            XCTAssertEqual(failed.finishedAt, FlowerTimestamp.iso(t1 + 70), name)
            XCTAssertEqual(failed.subStatus, "failed", name)
            try await assertEqual(await state.startApp(token: token), .invalidToken, name)
            try await assertEqual(await state.updateRunStatus(runID: running, phase: .finished, subStatus: "completed",
                                                              details: ""), .alreadyFinished, name)
        }
    }

    func testExpiryIsSeenByEveryRunScopedOperation() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            clock.advance(31)
            let p = Payload(marker: "late")
            guard case .refused(.notRunning(let run)) = try await state.pullObject(runID: runID, objectID: p.messageID) else {
                return XCTFail(name)
            }
            XCTAssertEqual(run.subStatus, "failed", name)
            try await assertEqual(await state.runs(flwrAid: "alice").first?.subStatus, "failed", name)
        }
    }

    func testStopRunWinsOverALaterExpiry() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            try await assertEqual(await state.stopRun(runID: runID, flwrAid: "alice"), .stopped, name)
            clock.advance(100)
            _ = try await state.sweep()
            try await assertEqual(await state.run(runID)?.subStatus, "stopped", name)
        }
    }
}
