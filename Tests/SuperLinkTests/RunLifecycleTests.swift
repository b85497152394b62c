import FlowerProto
import LinkState
import RPC
import XCTest

/// Run lifecycle as the SuperExec, ServerApp and CLI see it (protocol §2.3): launching, token
/// expiry, stopping, and runs never seeing each other's messages.
final class RunLifecycleTests: XCTestCase {
    func testOnlyPendingRunsAreLaunchedAndTokenedOnce() async throws {
        try await withLink { link in
            let a = try await link.startRun()
            link.clock.advance(1)
            let b = try await link.startRun()
            let listed = try await link.appIo(FlwrServerAppIo.listAppsToLaunch, FlwrListAppsToLaunchRequest())
            XCTAssertEqual(listed.runIDs, [a, b])
            _ = try await link.requestToken(a)
            let after = try await link.appIo(FlwrServerAppIo.listAppsToLaunch, FlwrListAppsToLaunchRequest())
            XCTAssertEqual(after.runIDs, [b])
            _ = try await link.stopRun(b)
            let none = try await link.appIo(FlwrServerAppIo.listAppsToLaunch, FlwrListAppsToLaunchRequest())
            XCTAssertEqual(none.runIDs, [])
            // A finished run gets no token (Flower would hand one out; see protocol §2.3).
            let token = try await link.requestToken(b)
            XCTAssertEqual(token, "")
        }
    }

    func testSilentServerAppFailsItsRun() async throws {
        try await forEachBackend { link in
            let (runID, token) = try await link.runningRun()
            var beat = FlwrSendAppHeartbeatRequest()
            beat.token = token
            link.clock.advance(29)  // a fresh token lives 30 s, each heartbeat extends it to 60 s
            let alive = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            XCTAssertTrue(alive.success)
            link.clock.advance(61)
            let run = try await link.listedRun(runID)
            XCTAssertEqual(run.status?.status, "finished", link.backend.rawValue)
            XCTAssertEqual(run.status?.subStatus, "failed")
            XCTAssertEqual(run.status?.details, "No heartbeat received from the run.")
            let late = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            XCTAssertFalse(late.success)
        }
    }

    func testStoppingARunningRunDropsItsMessages() async throws {
        try await forEachBackend { link in
            let a = try await link.newNode()
            let b = try await link.newNode()
            let (runID, token) = try await link.runningRun()
            let toA = FlowerObjects.instruction(runID: runID, dst: a.id, createdAt: link.clock.now)
            let toB = FlowerObjects.instruction(runID: runID, dst: b.id, createdAt: link.clock.now)
            try await link.sendInstruction(toA, runID: runID)
            try await link.sendInstruction(toB, runID: runID)
            let pulled = try await link.pullInstruction(a)
            let instruction = try XCTUnwrap(pulled.messagesList.first)

            let stopped = try await link.stopRun(runID)
            XCTAssertTrue(stopped)
            let forB = try await link.pullInstruction(b)
            XCTAssertTrue(forB.messagesList.isEmpty, "\(link.backend): a stopped run's instruction was delivered")
            let reply = FlowerObjects.reply(to: instruction, from: a.id, createdAt: link.clock.now)
            await assertStatus(.permissionDenied, "Run is finished. Stopped by user.") { try await link.pushReply(a, reply) }
            await assertStatus(.permissionDenied, "Run is finished. Stopped by user.") {
                try await link.fleetPullObject(b, runID: runID, id: toB.id)
            }
            await assertStatus(.permissionDenied, "Run is finished. Stopped by user.") {
                try await link.pushInstructions([toB], runID: runID)
            }
            // The ServerApp's heartbeat fails, so it stops itself.
            var beat = FlwrSendAppHeartbeatRequest()
            beat.token = token
            let alive = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            XCTAssertFalse(alive.success, link.backend.rawValue)
        }
    }

    func testRepliesStayInTheirRun() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode()
            let (runA, _) = try await link.runningRun()
            let (runB, _) = try await link.runningRun()
            let instruction = FlowerObjects.instruction(runID: runB, dst: node.id, createdAt: link.clock.now)
            try await link.sendInstruction(instruction, runID: runB)
            let pulled = try await link.pullInstruction(node)
            let reply = FlowerObjects.reply(to: try XCTUnwrap(pulled.messagesList.first), from: node.id, createdAt: link.clock.now)
            _ = try await link.pushReply(node, reply)

            // Run A's ServerApp asking for run B's instruction learns nothing about it...
            let stolen = try? await link.pullReplies(runID: runA, [instruction.id])
            XCTAssertFalse(
                stolen?.messagesList.contains { $0.metadata?.messageID == reply.id } ?? false,
                "\(link.backend): run A received run B's reply")
            // ...and run B still gets its reply.
            let mine = try await link.pullReplies(runID: runB, [instruction.id])
            XCTAssertEqual(mine.messagesList.map { $0.metadata?.messageID }, [reply.id], link.backend.rawValue)
        }
    }

    func testGetNodesListsOnlineNodesOnly() async throws {
        try await withLink { link in
            let steady = try await link.newNode(activate: 30)
            let leaving = try await link.newNode(activate: 30)
            let silent = try await link.newNode(activate: 10)
            _ = try await link.newNode(activate: nil)  // registered, never online
            let (runID, token) = try await link.runningRun()
            var deact = FlwrDeactivateNodeRequest()
            deact.nodeID = leaving.id
            _ = try await link.fleet(leaving, FlwrFleet.deactivateNode, deact)
            link.clock.advance(21)  // past `silent`'s 2 × 10 s
            var beat = FlwrSendAppHeartbeatRequest()
            beat.token = token
            _ = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            var req = FlwrGetNodesRequest()
            req.runID = runID
            let nodes = try await link.appIo(FlwrServerAppIo.getNodes, req)
            XCTAssertEqual(nodes.nodes.map(\.nodeID), [steady.id])
            // A heartbeat brings a node back.
            let back = try await link.heartbeat(silent)
            XCTAssertTrue(back)
            let again = try await link.appIo(FlwrServerAppIo.getNodes, req)
            XCTAssertEqual(Set(again.nodes.map(\.nodeID)), [steady.id, silent.id])
        }
    }

    /// UpdateRunStatus answers OK and changes nothing for a transition Flower does not allow
    /// (observed table from `flower-superlink` 1.28).
    func testUpdateRunStatusIgnoresInvalidTransitions() async throws {
        try await withLink { link in
            let table: [(from: String, status: String, sub: String, result: String)] = [
                ("running", "bogus", "", "running:"),
                ("running", "starting", "", "running:"),
                ("running", "running", "completed", "running:"),
                ("pending", "running", "", "pending:"),
                ("pending", "finished", "completed", "pending:"),
                ("pending", "finished", "failed", "finished:failed"),
                ("starting", "finished", "stopped", "finished:stopped"),
                ("pending", "starting", "", "starting:"),
                ("running", "finished", "failed", "finished:failed"),
            ]
            for row in table {
                let runID = try await link.startRun()
                if row.from != "pending" {
                    let token = try await link.requestToken(runID)
                    if row.from == "running" { _ = try await link.pullAppInputs(token: token) }
                }
                try await link.updateRunStatus(runID, row.status, row.sub, details: "d")
                let status = try await link.listedRun(runID).status
                XCTAssertEqual("\(status?.status ?? ""):\(status?.subStatus ?? "")", row.result, "\(row)")
            }
        }
    }
}
