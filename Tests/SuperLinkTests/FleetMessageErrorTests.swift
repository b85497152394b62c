import FlowerProto
import LinkState
import RPC
import XCTest

/// Fleet's run, FAB, object and reply failures (protocol §4.1): a node only ever acts for itself,
/// and a refused reply stores nothing.
final class FleetMessageErrorTests: XCTestCase {
    func testGetRunAndGetFab() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            var getRun = FlwrGetRunRequest()
            getRun.node = node.node
            getRun.runID = 999
            await assertStatus(.permissionDenied, "Run ID not found: 999") {
                try await link.fleet(node, FlwrFleet.getRun, getRun)
            }
            var getFab = FlwrGetFabRequest()
            getFab.node = node.node
            getFab.runID = 999
            getFab.hashStr = "ab"
            await assertStatus(.permissionDenied, "Run ID not found: 999") {
                try await link.fleet(node, FlwrFleet.getFab, getFab)
            }

            let pending = try await link.startRun()
            getRun.runID = pending
            await assertStatus(.permissionDenied, "Run is pending.") { try await link.fleet(node, FlwrFleet.getRun, getRun) }

            let (runID, _) = try await link.runningRun()
            getRun.runID = runID
            let gotRun = try await link.fleet(node, FlwrFleet.getRun, getRun)
            let run = try XCTUnwrap(gotRun.run)
            XCTAssertEqual(run.runID, runID)
            XCTAssertEqual(run.fabID, "sepal/sltestapp")
            getFab.runID = runID
            await assertStatus(.permissionDenied, "Found no FAB with hash: ab") {
                try await link.fleet(node, FlwrFleet.getFab, getFab)
            }
            // Another run's (existing) FAB is not served through this run.
            let otherFAB = try TestFAB.fixture()
            _ = try await link.startRun(fab: otherFAB)
            getFab.hashStr = "3c6852360433f6c84e0d7ddcc50725f3be4f8bb7c91f5a7ad502ea11ee1a0d60"
            await assertStatus(.permissionDenied, "Found no FAB with hash: \(getFab.hashStr)") {
                try await link.fleet(node, FlwrFleet.getFab, getFab)
            }
            getFab.hashStr = run.fabHash
            let gotFab = try await link.fleet(node, FlwrFleet.getFab, getFab)
            let fab = try XCTUnwrap(gotFab.fab)
            XCTAssertEqual(fab.content, TestFAB.standard)
            XCTAssertEqual(fab.hashStr, run.fabHash)
        }
    }

    func testObjectRPCsGateOnTheRunPhase() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            let pending = try await link.startRun()
            let (finished, _) = try await link.runningRun()
            try await link.updateRunStatus(finished, "finished", "failed", details: "boom")
            let stopped = try await link.startRun()
            _ = try await link.stopRun(stopped)
            let id = FlowerObjects.configRecord.object.id
            for (runID, detail) in [
                (pending, "Run is pending."), (finished, "Run is finished."), (stopped, "Run is finished. Stopped by user."),
                (999, "Run ID not found: 999"),
            ] as [(UInt64, String)] {
                let d = Detail.exactly(detail)
                await assertStatus(.permissionDenied, d) { try await link.fleetPullObject(node, runID: runID, id: id) }
                await assertStatus(.permissionDenied, d) {
                    try await link.fleetPushObject(node, runID: runID, id: id, content: FlowerObjects.configRecord.object.bytes)
                }
                await assertStatus(.permissionDenied, d) { try await link.confirm(node, runID: runID, messageID: id) }
            }
        }
    }

    /// A running run with an instruction delivered to `node`.
    private func delivered(_ link: TestLink, to node: TestNode) async throws -> (runID: UInt64, instruction: FlwrMessage) {
        let (runID, _) = try await link.runningRun()
        let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now)
        try await link.sendInstruction(instruction, runID: runID)
        let pulled = try await link.pullInstruction(node)
        return (runID, try XCTUnwrap(pulled.messagesList.first))
    }

    /// Asserts the ServerApp sees no reply for `instructionID` and none of `reply`'s objects exist.
    private func assertNothingStored(
        _ link: TestLink, runID: UInt64, instructionID: String, reply: OutgoingMessage,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let replies = try await link.pullReplies(runID: runID, [instructionID])
        XCTAssertTrue(replies.messagesList.isEmpty, "\(link.backend): a refused reply was stored", file: file, line: line)
        let root = try await link.appIoPullObject(runID: runID, id: reply.id)
        XCTAssertFalse(root.objectFound, "\(link.backend): a refused reply's tree was preregistered", file: file, line: line)
    }

    func testReplyFromAnotherSourceIsRefused() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode()
            let other = try await link.newNode()
            let (runID, instruction) = try await delivered(link, to: node)

            // Signed by the destination, but claiming another node as its source.
            let spoofed = FlowerObjects.reply(to: instruction, from: other.id, createdAt: link.clock.now)
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.pushReply(node, spoofed) }
            try await assertNothingStored(link, runID: runID, instructionID: instruction.metadata!.messageID, reply: spoofed)

            // Signed by another registered node, honestly naming itself: not its instruction.
            let intruder = FlowerObjects.reply(to: instruction, from: other.id, createdAt: link.clock.now)
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) { try await link.pushReply(other, intruder) }
            try await assertNothingStored(link, runID: runID, instructionID: instruction.metadata!.messageID, reply: intruder)
        }
    }

    func testMalformedRepliesAreRefused() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            let (runID, instruction) = try await delivered(link, to: node)
            let insID = instruction.metadata!.messageID
            let now = link.clock.now

            var req = FlwrPushMessagesRequest()
            req.node = node.node
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) {
                try await link.fleet(node, FlwrFleet.pushMessages, req)
            }
            // Outliving the instruction by more than 0.1 s.
            var greedy = FlowerObjects.reply(to: instruction, from: node.id, createdAt: now)
            greedy.message.metadata?.ttl += 1
            greedy = FlowerObjects.message(greedy.message.metadata!, content: FlowerObjects.replyContent)
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) { try await link.pushReply(node, greedy) }
            try await assertNothingStored(link, runID: runID, instructionID: insID, reply: greedy)
            // Replying to a message that does not exist.
            var orphanMD = FlowerObjects.reply(to: instruction, from: node.id, createdAt: now).message.metadata!
            orphanMD.replyToMessageID = String(repeating: "e", count: 64)
            let orphan = FlowerObjects.message(orphanMD, content: FlowerObjects.replyContent)
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) { try await link.pushReply(node, orphan) }
            // Neither content nor error.
            var empty = FlowerObjects.reply(to: instruction, from: node.id, createdAt: now)
            empty.message.content = nil
            await assertStatus(
                .invalidArgument, "Malformed request: Either message `content` or `error` must be set (but not both)"
            ) { try await link.pushReply(node, empty) }
            // A tree that does not belong to the message.
            var mismatched = FlowerObjects.reply(to: instruction, from: node.id, createdAt: now)
            mismatched.message.metadata?.messageID = orphan.id
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) { try await link.pushReply(node, mismatched) }
            try await assertNothingStored(link, runID: runID, instructionID: insID, reply: mismatched)

            // The honest reply still goes through, once.
            let reply = FlowerObjects.reply(to: instruction, from: node.id, createdAt: now)
            _ = try await link.pushReply(node, reply)
            let twice = FlowerObjects.reply(to: instruction, from: node.id, createdAt: now + 1)
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) { try await link.pushReply(node, twice) }
            for object in reply.objects {
                _ = try await link.fleetPushObject(node, runID: runID, id: object.id, content: object.bytes)
            }
            let replies = try await link.pullReplies(runID: runID, [insID])
            XCTAssertEqual(replies.messagesList.map { $0.metadata?.messageID }, [reply.id])
        }
    }

    func testErrorReplyTravels() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            let (runID, instruction) = try await delivered(link, to: node)
            var failure = FlwrError()
            failure.code = 2
            failure.reason = "boom"
            let reply = FlowerObjects.reply(to: instruction, from: node.id, createdAt: link.clock.now, error: failure)
            let resp = try await link.pushReply(node, reply)
            XCTAssertEqual(resp.objectsToPush, [reply.id])
            _ = try await link.fleetPushObject(node, runID: runID, id: reply.id, content: reply.objects[0].bytes)
            let replies = try await link.pullReplies(runID: runID, [instruction.metadata!.messageID])
            XCTAssertEqual(replies.messagesList.first?.error, failure)
            XCTAssertNil(replies.messagesList.first?.content)
        }
    }
}
