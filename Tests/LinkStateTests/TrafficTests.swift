import LinkState
import ObjectStore
import TestSupport
import XCTest

/// Fleet traffic is added by the state call whose change it accounts for (in its transaction):
/// after each call returns, the run's counters already show it, and a call that changed nothing
/// (refused, rejected, already stored, nothing to claim, not available) counted nothing.
final class TrafficTests: XCTestCase {
    func testEachCallAddsItsOwnTraffic() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let key = Make.key(1)
            let node = try await state.createNode(publicKey: key, ownerAid: Make.owner, ownerName: "none", heartbeatInterval: 0)
            _ = try await state.activateNode(publicKey: key, heartbeatInterval: 30)
            var expected = RunTraffic()
            func check(_ step: String) async throws {
                let run = try await XCTUnwrapAsync(await state.run(runID))
                XCTAssertEqual(RunTraffic(bytesSent: run.bytesSent, bytesRecv: run.bytesRecv, clientappRuntime: run.clientappRuntime),
                               expected, "\(name): \(step)")
            }
            let huge = RunTraffic(bytesSent: 1 << 40, bytesRecv: 1 << 40, clientappRuntime: 1e6)

            // Nothing to claim: no traffic (and the empty pull stays a read).
            try await assertEqual(await state.claimInstruction(publicKey: key, claimedNodeID: node) { _ in huge },
                                  .claimed(nil), name)
            try await check("empty pull")

            // PushObject: counted when stored, not when already available or unknown.
            let (ins, p) = Make.instruction(run: runID, dst: node, now: clock.now)
            guard case .stored(_, let toPush) = try await state.storeInstructions(runID: runID, [ins]) else {
                return XCTFail(name)
            }
            for id in toPush {
                let content = p.objects[id]!
                try await assertEqual(
                    await state.pushObject(runID: runID, objectID: id, content: content,
                                           traffic: RunTraffic(bytesRecv: UInt64(content.count))), .done(.stored), name)
                expected.bytesRecv += UInt64(content.count)
            }
            try await check("objects pushed")
            try await assertEqual(
                await state.pushObject(runID: runID, objectID: toPush[0], content: p.objects[toPush[0]]!, traffic: huge),
                .done(.alreadyAvailable), name)
            try await check("already available")

            // PullMessages (the key-checked path): the meter sees the claimed instruction.
            let outcome = try await state.claimInstruction(publicKey: key, claimedNodeID: node) { claimed in
                RunTraffic(bytesSent: 100 * UInt64(claimed.tree.postOrder.count), bytesRecv: 10)
            }
            guard case .claimed(let claimed?) = outcome else { return XCTFail(name) }
            XCTAssertEqual(claimed.message.messageID, ins.message.messageID, name)
            expected.bytesSent += 100 * UInt64(ins.tree.postOrder.count)
            expected.bytesRecv += 10
            try await check("claimed (key-checked)")
            // The plain claim counts the same way.
            _ = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
            try await assertNotNil(await state.claimInstruction(nodeID: node) { _ in RunTraffic(bytesSent: 7) }, name)
            expected.bytesSent += 7
            try await check("claimed (plain)")

            // PullObject: counted when available, not when unknown.
            let object = PulledObject(found: true, available: true, content: p.objects[p.messageID]!)
            try await assertEqual(
                await state.pullObject(runID: runID, objectID: p.messageID) { RunTraffic(bytesSent: UInt64($0.content.count)) },
                .done(object), name)
            expected.bytesSent += UInt64(object.content.count)
            try await check("object pulled")
            try await assertEqual(await state.pullObject(runID: runID, objectID: String(repeating: "0", count: 64)) { _ in huge },
                                  .done(.notFound), name)
            try await check("unknown object")

            // PushMessages: a rejected reply counts nothing; a stored one counts its meter, which sees
            // the objects to push.
            let (stranger, _) = Make.reply(to: claimed.message, now: clock.now, src: 999)
            guard case .rejected = try await state.storeReply(fromNode: 999, stranger, traffic: { _ in huge }) else {
                return XCTFail(name)
            }
            try await check("rejected reply")
            let (reply, rp) = Make.reply(to: claimed.message, now: clock.now)
            guard case .stored(let replyToPush) = try await state.storeReply(fromNode: node, reply, traffic: { toPush in
                RunTraffic(bytesSent: UInt64(toPush.count), bytesRecv: 50, clientappRuntime: 0.25)
            }) else { return XCTFail(name) }
            XCTAssertEqual(replyToPush, rp.postOrder, name)
            expected.bytesSent += UInt64(replyToPush.count)
            expected.bytesRecv += 50
            expected.clientappRuntime += 0.25
            try await check("reply stored")

            // A run that is no longer running refuses, and counts nothing.
            _ = try await state.updateRunStatus(runID: runID, phase: .finished, subStatus: "completed", details: "")
            try await assertEqual(await state.pushObject(runID: runID, objectID: rp.messageID, content: rp.objects[rp.messageID]!,
                                                         traffic: huge).isRefused, true, name)
            try await assertEqual(await state.pullObject(runID: runID, objectID: p.messageID) { _ in huge }.isRefused, true, name)
            try await check("refused")
        }
    }
}

private extension ObjectAccess {
    var isRefused: Bool {
        if case .refused = self { return true }
        return false
    }
}
