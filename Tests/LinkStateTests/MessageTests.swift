import FlowerTime
import LinkState
import ObjectStore
import TestSupport
import XCTest

final class MessageTests: XCTestCase {
    func testStoreInstructionsNeedsARunningRun() async throws {
        try await forEachBackend { name, state, clock in
            let node = try await Make.onlineNode(state)
            let (m, _) = Make.instruction(run: 5, dst: node, now: clock.now)
            try await assertEqual(await state.storeInstructions(runID: 5, [m]), .refused(.unknownRun), name)
            let pending = try await Make.pendingRun(state)
            let (p, _) = Make.instruction(run: pending, dst: node, now: clock.now)
            guard case .refused(.notRunning(let run)) = try await state.storeInstructions(runID: pending, [p]) else {
                return XCTFail(name)
            }
            XCTAssertEqual(run.phase, .pending, name)
            try await assertFalse(await state.objects.pull(objectID: p.message.messageID).found, name)
        }
    }

    func testStoreInstructionsValidatesEachDestination() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let online = try await Make.onlineNode(state)
            let offline = try await Make.onlineNode(state)
            _ = try await state.deactivateNode(nodeID: offline)
            let registered = try await state.createNode(publicKey: Make.key(), ownerAid: "o", ownerName: "o", heartbeatInterval: 0)
            let gone = try await Make.onlineNode(state)
            _ = try await state.unregisterNode(nodeID: gone, ownerAid: Make.owner)

            let toOnline = Make.instruction(run: runID, dst: online, now: clock.now).0
            let toOffline = Make.instruction(run: runID, dst: offline, now: clock.now).0
            let toRegistered = Make.instruction(run: runID, dst: registered, now: clock.now).0
            let toGone = Make.instruction(run: runID, dst: gone, now: clock.now).0
            let toNobody = Make.instruction(run: runID, dst: 424_242, now: clock.now).0
            var wrongSource = Make.instruction(run: runID, dst: online, now: clock.now).0
            wrongSource.message.srcNodeID = online
            var expired = Make.instruction(run: runID, dst: online, now: clock.now - 100, ttl: 50).0
            expired.message.ttl = 50
            var wrongRoot = Make.instruction(run: runID, dst: online, now: clock.now).0
            wrongRoot.message.messageID = String(repeating: "c", count: 64)

            let batch = [toOnline, toOffline, toRegistered, toGone, toNobody, wrongSource, expired, wrongRoot, toOnline]
            guard case .stored(let ids, let toPush) = try await state.storeInstructions(runID: runID, batch) else {
                return XCTFail(name)
            }
            XCTAssertEqual(ids, [toOnline.message.messageID, toOffline.message.messageID, "", "", "", "", "", "", ""], name)
            // Union of the accepted trees' missing objects; the shared subtree appears once.
            let expected = toOnline.tree.postOrder.map(\.objectID) + [toOffline.message.messageID]
            XCTAssertEqual(toPush, expected, name)
            // Refused messages stored nothing.
            for m in [toRegistered, toGone, toNobody, wrongSource] {
                try await assertFalse(await state.objects.pull(objectID: m.message.messageID).found, name)
            }
            // The offline node gets its message once it is back.
            _ = try await state.acknowledgeNodeHeartbeat(nodeID: offline, heartbeatInterval: 30)
            try await assertEqual(await state.claimInstruction(nodeID: offline)?.message.messageID,
                                  toOffline.message.messageID, name)
        }
    }

    func testMalformedTreeIDsFailTheWholeCall() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            let good = Make.instruction(run: runID, dst: node, now: clock.now).0
            var bad = Make.instruction(run: runID, dst: node, now: clock.now).0
            bad.tree.children = [ObjectTree(objectID: "XYZ")]
            do {
                _ = try await state.storeInstructions(runID: runID, [good, bad])
                XCTFail(name)
            } catch {
                XCTAssertEqual(error as? LinkStateError, .invalidObjectID("XYZ"), name)
            }
            try await assertNil(await state.claimInstruction(nodeID: node), name)
        }
    }

    func testClaimInstructionIsOnceAndSkipsExpiredOrTreelessMessages() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            let other = try await Make.onlineNode(state)
            try await assertNil(await state.claimInstruction(nodeID: node), name)
            let shortLived = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now, ttl: 5)
            let treeless = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let good = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let later = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            try await state.objects.delete(objectID: treeless.messageID)
            clock.advance(6)
            try await assertNil(await state.claimInstruction(nodeID: other), name)
            let claimed = try await XCTUnwrapAsync(await state.claimInstruction(nodeID: node))
            XCTAssertEqual(claimed.message.messageID, good.messageID, name)
            XCTAssertEqual(claimed.message.deliveredAt, FlowerTimestamp.iso(clock.now), name)
            try await assertEqual(await state.objects.tree(objectID: good.messageID), claimed.tree, name)
            XCTAssertEqual(claimed.message.content, [], name)  // empty RecordDict, not absent
            XCTAssertNil(claimed.message.error, name)
            try await assertEqual(await state.claimInstruction(nodeID: node)?.message.messageID, later.messageID, name)
            try await assertNil(await state.claimInstruction(nodeID: node), name)
            // The expired and treeless instructions were deleted.
            for id in [shortLived.messageID, treeless.messageID] {
                try await assertEqual(await state.takeReplies(runID: runID, instructionIDs: [id]),
                                      [.messageUnavailable(instructionID: id)], name)
            }
        }
    }

    func testInstructionFieldsRoundTrip() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            var (m, p) = Make.instruction(run: runID, dst: node, now: clock.now + 0.25, ttl: 123.5)
            m.message.groupID = "round-7"
            m.message.messageType = "evaluate"
            m.message.content = nil
            m.message.error = [0x08, 0x03, 0x12, 0x01, 0x78]
            guard case .stored(_, let toPush) = try await state.storeInstructions(runID: runID, [m]) else {
                return XCTFail(name)
            }
            try await Make.push(state, run: runID, p, ids: toPush)
            var expected = m.message
            expected.deliveredAt = FlowerTimestamp.iso(clock.now)
            try await assertEqual(await state.claimInstruction(nodeID: node)?.message, expected, name)
        }
    }

    func testStoreReplyRules() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            let stranger = try await Make.onlineNode(state)
            let ins = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now, ttl: 100)
            _ = try await state.claimInstruction(nodeID: node)
            clock.advance(10)

            func rejected(_ outcome: StoreReplyOutcome, _ label: String) {
                guard case .rejected = outcome else { return XCTFail("\(name) \(label): \(outcome)") }
            }
            // Sender is not the reply's src.
            let (spoofed, sp) = Make.reply(to: ins, now: clock.now)
            rejected(try await state.storeReply(fromNode: stranger, spoofed), "spoofed")
            try await assertFalse(await state.objects.pull(objectID: sp.messageID).found, "\(name) nothing stored")
            // The instruction was addressed to someone else.
            let (foreign, _) = Make.reply(to: ins, now: clock.now, src: stranger)
            rejected(try await state.storeReply(fromNode: stranger, foreign), "foreign")
            // Unknown instruction.
            var orphanIns = ins
            orphanIns.messageID = String(repeating: "d", count: 64)
            rejected(try await state.storeReply(fromNode: node, Make.reply(to: orphanIns, now: clock.now).0), "orphan")
            // TTL tolerance: 0.05 s over is fine, 0.2 s is not.
            let (tooLong, _) = Make.reply(to: ins, now: clock.now, ttl: ins.expiresAt - clock.now + 0.2)
            rejected(try await state.storeReply(fromNode: node, tooLong), "ttl")
            let (ok, okp) = Make.reply(to: ins, now: clock.now, ttl: ins.expiresAt - clock.now + 0.05)
            guard case .stored(let toPush) = try await state.storeReply(fromNode: node, ok) else { return XCTFail(name) }
            XCTAssertEqual(toPush, okp.postOrder, name)
            // One reply per instruction.
            let (second, _) = Make.reply(to: ins, now: clock.now)
            rejected(try await state.storeReply(fromNode: node, second), "duplicate")
            // Expired instruction.
            let old = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now, ttl: 5)
            clock.advance(6)
            rejected(try await state.storeReply(fromNode: node, Make.reply(to: old, now: clock.now, ttl: 1).0), "expired")
            // Run no longer running.
            let fresh = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            _ = try await state.updateRunStatus(runID: runID, phase: .finished, subStatus: "completed", details: "")
            guard case .refused(.notRunning) = try await state.storeReply(fromNode: node, Make.reply(to: fresh, now: clock.now).0)
            else { return XCTFail(name) }
        }
    }

    func testTakeRepliesOutcomesAndExactlyOnceRemoval() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state, interval: 30)
            let dying = try await Make.onlineNode(state, interval: 10)
            let answered = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let waiting = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let shortReply = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let short = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now, ttl: 20)
            let toDying = try await Make.storedInstruction(state, run: runID, dst: dying, now: clock.now)
            let (reply, rp) = Make.reply(to: answered, now: clock.now)
            guard case .stored(let ids) = try await state.storeReply(fromNode: node, reply) else { return XCTFail(name) }
            try await Make.push(state, run: runID, rp, ids: ids)
            let (brief, _) = Make.reply(to: shortReply, now: clock.now, ttl: 15)
            guard case .stored = try await state.storeReply(fromNode: node, brief) else { return XCTFail(name) }

            clock.advance(25)  // `short` expired, `brief` reply expired, `dying` past online_until
            let unknown = String(repeating: "9", count: 64)
            let request = [unknown, answered.messageID, waiting.messageID, short.messageID, toDying.messageID,
                           shortReply.messageID]
            let outcomes = try await state.takeReplies(runID: runID, instructionIDs: request)
            guard outcomes.count == 5 else { return XCTFail("\(name): \(outcomes)") }
            XCTAssertEqual(outcomes[0], .messageUnavailable(instructionID: unknown), name)
            guard case .reply(let got) = outcomes[1] else { return XCTFail("\(name) \(outcomes[1])") }
            XCTAssertEqual(got.message.messageID, reply.message.messageID, name)
            XCTAssertEqual(got.message.replyToMessageID, answered.messageID, name)
            XCTAssertEqual(got.tree, reply.tree, name)
            XCTAssertEqual(outcomes[2], .messageUnavailable(instructionID: short.messageID), name)
            guard case .nodeUnavailable(let lost) = outcomes[3] else { return XCTFail("\(name) \(outcomes[3])") }
            XCTAssertEqual(lost.messageID, toDying.messageID, name)
            XCTAssertEqual(lost.dstNodeID, dying, name)
            guard case .replyExpired(let stale) = outcomes[4] else { return XCTFail("\(name) \(outcomes[4])") }
            XCTAssertEqual(stale.messageID, shortReply.messageID, name)

            // Everything that produced an outcome is gone; the waiting one still waits.
            let again = try await state.takeReplies(runID: runID, instructionIDs: request)
            XCTAssertEqual(again, [unknown, answered.messageID, short.messageID, toDying.messageID, shortReply.messageID]
                .map { .messageUnavailable(instructionID: $0) }, name)
            // The reply's objects stay until the ServerApp confirms them.
            try await assertEqual(await state.pullObject(runID: runID, objectID: reply.message.messageID),
                                  .done(PulledObject(found: true, available: true, content: rp.objects[rp.messageID]!)), name)
            try await assertEqual(await state.confirmMessageReceived(runID: runID, messageObjectID: reply.message.messageID),
                                  .done(true), name)
            try await assertEqual(await state.pullObject(runID: runID, objectID: reply.message.messageID),
                                  .done(.notFound), name)
        }
    }

    func testAnUnavailableNodeMasksItsEarlierReply() async throws {
        // Flower's order (§2.5 [QUIRK], kept): node check before the reply.
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state, interval: 10)
            let ins = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            let (reply, _) = Make.reply(to: ins, now: clock.now)
            guard case .stored = try await state.storeReply(fromNode: node, reply) else { return XCTFail(name) }
            clock.advance(21)
            guard case .nodeUnavailable = try await state.takeReplies(runID: runID, instructionIDs: [ins.messageID]).first
            else { return XCTFail(name) }
        }
    }

    func testTakeRepliesIgnoresOtherRunsInstructions() async throws {
        try await forEachBackend { name, state, clock in
            let (runA, _) = try await Make.runningRun(state)
            let (runB, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            let ins = try await Make.storedInstruction(state, run: runA, dst: node, now: clock.now)
            try await assertEqual(await state.takeReplies(runID: runB, instructionIDs: [ins.messageID]),
                                  [.messageUnavailable(instructionID: ins.messageID)], name)
            try await assertEqual(await state.claimInstruction(nodeID: node)?.message.messageID, ins.messageID, name)
        }
    }

    func testRunScopedObjectOperationsAreGated() async throws {
        try await forEachBackend { name, state, _ in
            let p = Payload(marker: "gated")
            let id = p.messageID
            try await assertEqual(await state.preregisterObjects(runID: 1, tree: p.tree), .refused(.unknownRun), name)
            try await assertEqual(await state.pushObject(runID: 1, objectID: id, content: p.objects[id]!), .refused(.unknownRun), name)
            try await assertEqual(await state.pullObject(runID: 1, objectID: id), .refused(.unknownRun), name)
            try await assertEqual(await state.confirmMessageReceived(runID: 1, messageObjectID: id), .refused(.unknownRun), name)
            let pending = try await Make.pendingRun(state)
            guard case .refused(.notRunning) = try await state.preregisterObjects(runID: pending, tree: p.tree) else {
                return XCTFail(name)
            }
            let (runID, _) = try await Make.runningRun(state)
            try await assertEqual(await state.preregisterObjects(runID: runID, tree: p.tree), .done(p.postOrder), name)
            try await assertEqual(await state.pushObject(runID: runID, objectID: id, content: [1]), .done(.hashMismatch), name)
            try await assertEqual(await state.pushObject(runID: runID, objectID: id, content: p.objects[id]!), .done(.stored), name)
            try await assertEqual(await state.pushObject(runID: runID, objectID: id, content: p.objects[id]!),
                                  .done(.alreadyAvailable), name)
            try await assertEqual(await state.preregisterObjects(runID: runID, tree: p.tree), .done(Array(p.postOrder.dropLast())), name)
        }
    }

    /// §3.4 worked example through the state: one RecordDict fanned out to N nodes.
    func testConfirmationsFreeASharedRecordDict() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            var rows: [MessageRow] = []
            var nodes: [UInt64] = []
            for i in 0..<3 {
                let node = try await Make.onlineNode(state)
                nodes.append(node)
                rows.append(try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now,
                                                             payload: Payload(marker: "fedavg-\(i)")))
            }
            let shared = Payload(marker: "fedavg-0")
            for (i, node) in nodes.enumerated() {
                let got = try await XCTUnwrapAsync(await state.claimInstruction(nodeID: node))
                XCTAssertEqual(got.tree.children.first?.objectID, shared.recordDictID, name)
                try await assertEqual(await state.confirmMessageReceived(runID: runID, messageObjectID: rows[i].messageID),
                                      .done(true), name)
                let left = try await state.objects.pull(objectID: shared.recordDictID).found
                XCTAssertEqual(left, i < 2, "\(name) after \(i + 1) confirmations")
            }
            for id in shared.postOrder { try await assertFalse(await state.objects.pull(objectID: id).found, name) }
        }
    }
}
