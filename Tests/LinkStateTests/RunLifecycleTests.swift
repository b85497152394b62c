import FlowerTime
import LinkState
import TestSupport
import XCTest

final class RunLifecycleTests: XCTestCase {
    func testCreateRunIsPendingWithItsContext() async throws {
        try await forEachBackend { name, state, clock in
            let runID = try await state.createRun(Make.newRun()) { Array("ctx-\($0)".utf8) }
            let run = try await XCTUnwrapAsync(await state.run(runID))
            XCTAssertEqual(run.runID, runID, name)
            XCTAssertEqual(run.phase, .pending, name)
            XCTAssertEqual(run.pendingAt, FlowerTimestamp.iso(clock.now), name)
            XCTAssertEqual([run.startingAt, run.runningAt, run.finishedAt, run.subStatus, run.details],
                           ["", "", "", "", ""], name)
            XCTAssertEqual(run.fabID, "flwr/app", name)
            XCTAssertEqual(run.fabHash, String(repeating: "f", count: 64), name)
            XCTAssertEqual(run.overrideConfigJSON, "{\"lr\": 0.1}", name)
            XCTAssertEqual(run.federation, "@none/default", name)
            XCTAssertEqual(run.flwrAid, "alice", name)
            XCTAssertEqual(run.runType, "serverapp", name)
            XCTAssertNil(run.federationConfigJSON, name)
            try await assertEqual(await state.serverAppContext(runID: runID), Array("ctx-\(runID)".utf8), name)
            try await assertNil(await state.run(runID &+ 1), name)
            try await assertNil(await state.serverAppContext(runID: runID &+ 1), name)
        }
    }

    func testSimulationRunKeepsItsFederationConfig() async throws {
        try await forEachBackend { name, state, _ in
            var new = Make.newRun()
            new.runType = "simulation"
            new.federationConfigJSON = "{\"num_supernodes\": 3}"
            let runID = try await state.createRun(new) { _ in [] }
            let run = try await XCTUnwrapAsync(await state.run(runID))
            XCTAssertEqual(run.runType, "simulation", name)
            XCTAssertEqual(run.federationConfigJSON, "{\"num_supernodes\": 3}", name)
            try await assertEqual(await state.serverAppContext(runID: runID), [], name)
        }
    }

    func testListingOrders() async throws {
        try await forEachBackend { name, state, clock in
            let a = try await Make.pendingRun(state, aid: "alice")
            clock.advance(1)
            let b = try await Make.pendingRun(state, aid: "bob")
            clock.advance(1)
            let c = try await Make.pendingRun(state, aid: "alice")
            try await assertEqual(await state.pendingRunIDs(), [a, b, c], name)
            try await assertEqual(await state.runs(flwrAid: "alice").map(\.runID), [c, a], name)
            try await assertEqual(await state.runs(flwrAid: nil).map(\.runID), [c, b, a], name)
            _ = try await state.requestToken(runID: b)
            try await assertEqual(await state.pendingRunIDs(), [a, c], name)
        }
    }

    /// Every (phase, target, sub-status) combination against Flower's rules.
    func testRunTransitionTable() async throws {
        let targets: [(RunPhase, String)] = [
            (.pending, ""), (.starting, ""), (.running, ""), (.starting, "failed"), (.running, "completed"),
            (.finished, "completed"), (.finished, "failed"), (.finished, "stopped"), (.finished, ""),
            (.finished, "bogus"),
        ]
        try await forEachBackend { name, state, clock in
            for from in [RunPhase.pending, .starting, .running, .finished] {
                for (to, sub) in targets {
                    let runID = try await Self.run(in: from, state)
                    clock.advance(0.5)
                    let outcome = try await state.updateRunStatus(runID: runID, phase: to, subStatus: sub, details: "d")
                    let label = "\(name): \(from) → \(to):\(sub)"
                    let allowed = RunTransitions.isAllowed(from: from, to: to, subStatus: sub)
                    let expected: RunStatusUpdateOutcome =
                        from == .finished ? .alreadyFinished : (allowed ? .updated : .invalidTransition)
                    XCTAssertEqual(outcome, expected, label)
                    let run = try await XCTUnwrapAsync(await state.run(runID))
                    XCTAssertEqual(run.phase, expected == .updated ? to : from, label)
                    if expected == .updated {
                        let stamp = FlowerTimestamp.iso(clock.now)
                        switch to {
                        case .starting: XCTAssertEqual(run.startingAt, stamp, label)
                        case .running: XCTAssertEqual(run.runningAt, stamp, label)
                        case .finished:
                            XCTAssertEqual(run.finishedAt, stamp, label)
                            XCTAssertEqual(run.subStatus, sub, label)
                            XCTAssertEqual(run.details, "d", label)
                        case .pending: XCTFail(label)
                        }
                    }
                }
            }
            try await assertEqual(await state.updateRunStatus(runID: 5, phase: .running, subStatus: "", details: ""),
                                  .unknownRun, name)
        }
        // The rules themselves (§2.3).
        XCTAssertTrue(RunTransitions.isAllowed(from: .pending, to: .starting, subStatus: ""))
        XCTAssertTrue(RunTransitions.isAllowed(from: .starting, to: .running, subStatus: ""))
        XCTAssertTrue(RunTransitions.isAllowed(from: .running, to: .finished, subStatus: "completed"))
        XCTAssertTrue(RunTransitions.isAllowed(from: .pending, to: .finished, subStatus: "stopped"))
        XCTAssertFalse(RunTransitions.isAllowed(from: .pending, to: .finished, subStatus: "completed"))
        XCTAssertFalse(RunTransitions.isAllowed(from: .starting, to: .finished, subStatus: "completed"))
        XCTAssertFalse(RunTransitions.isAllowed(from: .pending, to: .running, subStatus: ""))
        XCTAssertFalse(RunTransitions.isAllowed(from: .running, to: .starting, subStatus: ""))
        XCTAssertFalse(RunTransitions.isAllowed(from: .finished, to: .finished, subStatus: "failed"))
    }

    /// A run in `phase` (finished = completed).
    static func run(in phase: RunPhase, _ state: any LinkState) async throws -> UInt64 {
        let runID = try await Make.pendingRun(state)
        if phase == .pending { return runID }
        let token = try await XCTUnwrapAsync(await state.requestToken(runID: runID))
        if phase == .starting { return runID }
        _ = try await state.startApp(token: token)
        if phase == .running { return runID }
        _ = try await state.updateRunStatus(runID: runID, phase: .finished, subStatus: "completed", details: "")
        return runID
    }

    func testFinishingDeletesTheTokenAndUnreferencedObjects() async throws {
        try await forEachBackend { name, state, _ in
            let (runID, token) = try await Make.runningRun(state)
            let p = Payload(marker: "loose")
            guard case .done(let ids) = try await state.preregisterObjects(runID: runID, tree: p.tree) else {
                return XCTFail(name)
            }
            try await Make.push(state, run: runID, p, ids: ids)
            try await assertEqual(await state.updateRunStatus(runID: runID, phase: .finished, subStatus: "completed",
                                                              details: ""), .updated, name)
            try await assertFalse(await state.acknowledgeAppHeartbeat(token: token), name)
            for id in p.postOrder { try await assertFalse(await state.objects.pull(objectID: id).found, name) }
            try await assertEqual(await state.updateRunStatus(runID: runID, phase: .finished, subStatus: "failed",
                                                              details: ""), .alreadyFinished, name)
        }
    }

    func testStopRunOutcomes() async throws {
        try await forEachBackend { name, state, clock in
            try await assertEqual(await state.stopRun(runID: 9, flwrAid: "alice"), .notFound, name)
            let (runID, token) = try await Make.runningRun(state)
            try await assertEqual(await state.stopRun(runID: runID, flwrAid: "mallory"), .notOwner, name)
            let orphan = try await state.createRun(Make.newRun(aid: "")) { _ in [] }
            try await assertEqual(await state.stopRun(runID: orphan, flwrAid: ""), .notOwner, name)
            clock.advance(3)
            try await assertEqual(await state.stopRun(runID: runID, flwrAid: "alice"), .stopped, name)
            let run = try await XCTUnwrapAsync(await state.run(runID))
            XCTAssertEqual(run.phase, .finished, name)
            XCTAssertEqual(run.subStatus, "stopped", name)
            XCTAssertEqual(run.finishedAt, FlowerTimestamp.iso(clock.now), name)
            try await assertFalse(await state.acknowledgeAppHeartbeat(token: token), name)
            try await assertEqual(await state.stopRun(runID: runID, flwrAid: "alice"), .alreadyFinished, name)
            // Pending runs can be stopped too.
            let pending = try await Make.pendingRun(state)
            try await assertEqual(await state.stopRun(runID: pending, flwrAid: "alice"), .stopped, name)
        }
    }

    func testStopRunDeletesMessagesAndObjects() async throws {
        try await forEachBackend { name, state, clock in
            let node = try await Make.onlineNode(state)
            let (runID, _) = try await Make.runningRun(state)
            let claimed = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let waiting = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            _ = try await state.claimInstruction(nodeID: node)
            let (reply, rp) = Make.reply(to: claimed, now: clock.now)
            guard case .stored(let toPush) = try await state.storeReply(fromNode: node, reply) else { return XCTFail(name) }
            try await Make.push(state, run: runID, rp, ids: toPush)

            try await assertEqual(await state.stopRun(runID: runID, flwrAid: "alice"), .stopped, name)
            try await assertNil(await state.claimInstruction(nodeID: node), name)
            for id in [claimed.messageID, waiting.messageID, reply.message.messageID] {
                try await assertFalse(await state.objects.pull(objectID: id).found, "\(name) \(id)")
            }
            let outcomes = try await state.takeReplies(runID: runID, instructionIDs: [claimed.messageID])
            XCTAssertEqual(outcomes, [.messageUnavailable(instructionID: claimed.messageID)], name)
        }
    }
}
