import FlowerTime
import LinkState
import TestSupport
import XCTest

/// The key-checked Fleet calls (`acknowledgeNodeHeartbeat(publicKey:…)`,
/// `claimInstruction(publicKey:…)`): the same binding as `nodeID(forPublicKey:)` followed by the
/// plain call, on both backends (SQLite does both in one database trip).
final class FleetCallPathTests: XCTestCase {
    func testHeartbeatNeedsTheKeysOwnNode() async throws {
        try await forEachBackend { name, state, clock in
            let key = Make.key(1)
            let id = try await state.createNode(publicKey: key, ownerAid: Make.owner, ownerName: "none", heartbeatInterval: 0)
            let other = try await Make.onlineNode(state)

            // Another node's ID, an unknown ID, or another key: nothing changes.
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: key, claimedNodeID: other, heartbeatInterval: 30),
                                  .notBound, name)
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: key, claimedNodeID: 12345, heartbeatInterval: 30),
                                  .notBound, name)
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: Make.key(2), claimedNodeID: id, heartbeatInterval: 30),
                                  .notBound, name)
            try await assertEqual(await state.node(id)?.status, .registered, name)

            // Its own ID: the heartbeat brings the registered node online, as the plain call does.
            clock.advance(1)
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: key, claimedNodeID: id, heartbeatInterval: 20),
                                  .acknowledged, name)
            let node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .online, name)
            XCTAssertEqual(node.onlineUntil, clock.now + 40, name)
            XCTAssertEqual(node.heartbeatInterval, 20, name)

            // Already online: only the deadline and interval move (`last_activated_at` stays).
            clock.advance(5)
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: key, claimedNodeID: id, heartbeatInterval: 15),
                                  .acknowledged, name)
            let again = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(again.status, .online, name)
            XCTAssertEqual(again.onlineUntil, clock.now + 30, name)
            XCTAssertEqual(again.heartbeatInterval, 15, name)
            XCTAssertEqual(again.lastActivatedAt, node.lastActivatedAt, name)

            // Offline (overdue and swept): the heartbeat revives it with a new activation time.
            clock.advance(31)
            try await assertEqual(await state.node(id)?.status, .offline, name)
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: key, claimedNodeID: id, heartbeatInterval: 15),
                                  .acknowledged, name)
            let revived = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(revived.status, .online, name)
            XCTAssertEqual(revived.lastActivatedAt, FlowerTimestamp.iso(clock.now), name)

            // Unregistered: the key no longer names the node.
            try await assertTrue(await state.unregisterNode(nodeID: id, ownerAid: Make.owner), name)
            try await assertEqual(await state.acknowledgeNodeHeartbeat(publicKey: key, claimedNodeID: id, heartbeatInterval: 30),
                                  .notBound, name)
        }
    }

    func testClaimNeedsTheKeysOwnNodeAndClaimsOnce() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let key = Make.key(1)
            let id = try await state.createNode(publicKey: key, ownerAid: Make.owner, ownerName: "none", heartbeatInterval: 0)
            _ = try await state.activateNode(publicKey: key, heartbeatInterval: 30)
            let other = try await Make.onlineNode(state)

            try await assertEqual(await state.claimInstruction(publicKey: key, claimedNodeID: id), .claimed(nil), name)
            let ins = try await Make.storedInstruction(state, run: runID, dst: id, now: clock.now)
            // The instruction is only ever handed to its node, and only under that node's key.
            try await assertEqual(await state.claimInstruction(publicKey: key, claimedNodeID: other), .notBound, name)
            try await assertEqual(await state.claimInstruction(publicKey: Make.key(2), claimedNodeID: id), .notBound, name)
            guard case .claimed(let claimed?) = try await state.claimInstruction(publicKey: key, claimedNodeID: id) else {
                return XCTFail("\(name): the instruction was not claimed")
            }
            XCTAssertEqual(claimed.message.messageID, ins.messageID, name)
            try await assertEqual(await state.claimInstruction(publicKey: key, claimedNodeID: id), .claimed(nil), name)

            // Expired undelivered instructions are still cleared by a pull (the write path).
            let shortLived = try await Make.storedInstruction(state, run: runID, dst: id, now: clock.now, ttl: 5)
            clock.advance(6)
            try await assertEqual(await state.claimInstruction(publicKey: key, claimedNodeID: id), .claimed(nil), name)
            try await assertEqual(await state.takeReplies(runID: runID, instructionIDs: [shortLived.messageID]),
                                  [.messageUnavailable(instructionID: shortLived.messageID)], name)

            try await assertTrue(await state.unregisterNode(nodeID: id, ownerAid: Make.owner), name)
            try await assertEqual(await state.claimInstruction(publicKey: key, claimedNodeID: id), .notBound, name)
        }
    }
}
