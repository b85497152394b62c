import FlowerTime
import LinkState
import TestSupport
import XCTest

final class NodeLifecycleTests: XCTestCase {
    func testCreateNodeRegistersAndRejectsADuplicateKey() async throws {
        try await forEachBackend { name, state, clock in
            let key = Make.key()
            let id = try await state.createNode(publicKey: key, ownerAid: "<id:none>", ownerName: "none", heartbeatInterval: 0)
            XCTAssertGreaterThan(id, 1, name)
            let node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .registered, name)
            XCTAssertEqual(node.registeredAt, FlowerTimestamp.iso(clock.now), name)
            XCTAssertNil(node.onlineUntil, name)
            XCTAssertNil(node.lastActivatedAt, name)
            XCTAssertEqual(node.publicKey, key, name)
            XCTAssertEqual(node.heartbeatInterval, 0, name)
            do {
                _ = try await state.createNode(publicKey: key, ownerAid: "x", ownerName: "x", heartbeatInterval: 30)
                XCTFail("\(name): duplicate key accepted")
            } catch {
                XCTAssertEqual(error as? LinkStateError, .publicKeyInUse, name)
            }
            try await assertEqual(await state.nodeID(forPublicKey: key), id, name)
            try await assertNil(await state.nodeID(forPublicKey: Make.key()), name)
        }
    }

    func testActivateNodeOutcomes() async throws {
        try await forEachBackend { name, state, clock in
            try await assertEqual(await state.activateNode(publicKey: Make.key(), heartbeatInterval: 30), .unknownKey, name)
            let key = Make.key()
            let id = try await state.createNode(publicKey: key, ownerAid: "<id:none>", ownerName: "none", heartbeatInterval: 0)
            try await assertEqual(await state.activateNode(publicKey: key, heartbeatInterval: 15), .activated(nodeID: id), name)
            let node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .online, name)
            XCTAssertEqual(node.onlineUntil, clock.now + 30, name)
            XCTAssertEqual(node.heartbeatInterval, 15, name)
            XCTAssertEqual(node.lastActivatedAt, FlowerTimestamp.iso(clock.now), name)
            // Already online.
            try await assertEqual(await state.activateNode(publicKey: key, heartbeatInterval: 15), .notActivatable(nodeID: id), name)
            // Offline (deactivated) nodes can be activated again.
            try await assertTrue(await state.deactivateNode(nodeID: id), name)
            try await assertEqual(await state.activateNode(publicKey: key, heartbeatInterval: 15), .activated(nodeID: id), name)
            // Offline by timeout too: the sweep runs first.
            clock.advance(31)
            try await assertEqual(await state.activateNode(publicKey: key, heartbeatInterval: 15), .activated(nodeID: id), name)
            // Unregistered nodes are not found by their key any more (Flower's lookup).
            try await assertTrue(await state.unregisterNode(nodeID: id, ownerAid: "<id:none>"), name)
            try await assertEqual(await state.activateNode(publicKey: key, heartbeatInterval: 15), .unknownKey, name)
        }
    }

    func testDeactivateOnlyFromOnline() async throws {
        try await forEachBackend { name, state, clock in
            let key = Make.key()
            let id = try await state.createNode(publicKey: key, ownerAid: "o", ownerName: "o", heartbeatInterval: 0)
            try await assertFalse(await state.deactivateNode(nodeID: id), "\(name) registered")
            try await assertFalse(await state.deactivateNode(nodeID: 12345), "\(name) unknown")
            _ = try await state.activateNode(publicKey: key, heartbeatInterval: 30)
            clock.advance(5)
            try await assertTrue(await state.deactivateNode(nodeID: id), name)
            let node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .offline, name)
            XCTAssertEqual(node.onlineUntil, clock.now, name)
            XCTAssertEqual(node.lastDeactivatedAt, FlowerTimestamp.iso(clock.now), name)
            try await assertFalse(await state.deactivateNode(nodeID: id), "\(name) offline")
            // A node past online_until is swept offline first, so it is not "online" any more.
            _ = try await state.activateNode(publicKey: key, heartbeatInterval: 10)
            clock.advance(20)
            try await assertFalse(await state.deactivateNode(nodeID: id), "\(name) timed out")
        }
    }

    func testHeartbeatExtendsAndRevivesAnOfflineNode() async throws {
        try await forEachBackend { name, state, clock in
            try await assertFalse(await state.acknowledgeNodeHeartbeat(nodeID: 999, heartbeatInterval: 30), name)
            let id = try await Make.onlineNode(state, interval: 10)
            clock.advance(15)
            try await assertTrue(await state.acknowledgeNodeHeartbeat(nodeID: id, heartbeatInterval: 20), name)
            var node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.onlineUntil, clock.now + 40, name)
            XCTAssertEqual(node.heartbeatInterval, 20, name)
            XCTAssertEqual(node.status, .online, name)
            let activatedAt = node.lastActivatedAt
            // Time out, get swept, then revive by heartbeat.
            clock.advance(41)
            node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .offline, name)
            try await assertTrue(await state.acknowledgeNodeHeartbeat(nodeID: id, heartbeatInterval: 10), name)
            node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .online, name)
            XCTAssertEqual(node.lastActivatedAt, FlowerTimestamp.iso(clock.now), name)
            XCTAssertNotEqual(node.lastActivatedAt, activatedAt, name)
            // Unregistered nodes get false and stay unregistered.
            try await assertTrue(await state.unregisterNode(nodeID: id, ownerAid: Make.owner), name)
            try await assertFalse(await state.acknowledgeNodeHeartbeat(nodeID: id, heartbeatInterval: 10), name)
            try await assertEqual(await state.node(id)?.status, .unregistered, name)
        }
    }

    func testOfflineSweepUsesOnlineUntilAsDeactivationTime() async throws {
        try await forEachBackend { name, state, clock in
            let start = clock.now + 0.123456
            clock.advance(0.123456)
            let id = try await Make.onlineNode(state, interval: 10)
            let runID = try await Make.pendingRun(state)
            try await assertEqual(await state.onlineNodeIDs(runID: runID), [id], name)
            clock.advance(19.9)
            try await assertEqual(await state.node(id)?.status, .online, name)
            clock.advance(0.1)  // exactly online_until: swept (online_until <= now)
            try await assertEqual(await state.onlineNodeIDs(runID: runID), [], name)
            let node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .offline, name)
            XCTAssertEqual(node.onlineUntil, start + 20, name)
            XCTAssertEqual(node.lastDeactivatedAt, FlowerTimestamp.isoMillis(start + 20), name)
            XCTAssertTrue(node.lastDeactivatedAt?.hasSuffix(".123+00:00") == true, "\(name) \(node.lastDeactivatedAt ?? "nil")")
            try await assertNil(await state.onlineNodeIDs(runID: 42), name)
        }
    }

    func testSweepRetiresEveryOverdueNode() async throws {
        try await forEachBackend { name, state, clock in
            let a = try await Make.onlineNode(state, interval: 10)
            let b = try await Make.onlineNode(state, interval: 100)
            clock.advance(50)
            _ = try await state.sweep()
            try await assertEqual(await state.nodes(ownerAid: Make.owner).map(\.status), [.offline, .online], name)
            try await assertEqual(await state.nodes(ownerAid: Make.owner).map(\.nodeID), [a, b], name)
        }
    }

    func testUnregisterNeedsTheOwnerAndHappensOnce() async throws {
        try await forEachBackend { name, state, clock in
            let key = Make.key()
            let id = try await state.createNode(publicKey: key, ownerAid: "bob", ownerName: "Bob", heartbeatInterval: 30)
            _ = try await state.activateNode(publicKey: key, heartbeatInterval: 30)
            clock.advance(7)
            try await assertFalse(await state.unregisterNode(nodeID: id, ownerAid: "eve"), name)
            try await assertFalse(await state.unregisterNode(nodeID: 77, ownerAid: "bob"), name)
            try await assertTrue(await state.unregisterNode(nodeID: id, ownerAid: "bob"), name)
            try await assertFalse(await state.unregisterNode(nodeID: id, ownerAid: "bob"), name)
            let node = try await XCTUnwrapAsync(await state.node(id))
            XCTAssertEqual(node.status, .unregistered, name)
            XCTAssertEqual(node.unregisteredAt, FlowerTimestamp.iso(clock.now), name)
            XCTAssertEqual(node.onlineUntil, clock.now, name)  // min(online_until, now)
            try await assertNil(await state.nodeID(forPublicKey: key), name)
            // The key stays bound to the unregistered row, as in Flower.
            do {
                _ = try await state.createNode(publicKey: key, ownerAid: "bob", ownerName: "Bob", heartbeatInterval: 30)
                XCTFail("\(name): key of an unregistered node reused")
            } catch {
                XCTAssertEqual(error as? LinkStateError, .publicKeyInUse, name)
            }
        }
    }

    func testNodesAreListedPerOwner() async throws {
        try await forEachBackend { name, state, _ in
            let a = try await state.createNode(publicKey: Make.key(), ownerAid: "a", ownerName: "A", heartbeatInterval: 30)
            let b = try await state.createNode(publicKey: Make.key(), ownerAid: "a", ownerName: "A", heartbeatInterval: 30)
            _ = try await state.createNode(publicKey: Make.key(), ownerAid: "c", ownerName: "C", heartbeatInterval: 30)
            try await assertEqual(await state.nodes(ownerAid: "a").map(\.nodeID), [a, b], name)
            try await assertEqual(await state.nodes(ownerAid: "a").map(\.ownerName), ["A", "A"], name)
            try await assertEqual(await state.nodes(ownerAid: "z").count, 0, name)
        }
    }

    func testNodeIDsAreFullWidthUInt64() async throws {
        try await forEachBackend { name, state, _ in
            var ids: [UInt64] = []
            for _ in 0..<32 {
                ids.append(try await state.createNode(publicKey: Make.key(), ownerAid: "a", ownerName: "A", heartbeatInterval: 0))
            }
            XCTAssertTrue(ids.contains { $0 > UInt64(Int64.max) }, "\(name): no ID ≥ 2^63 in 32 draws")
            for id in ids { try await assertEqual(await state.node(id)?.nodeID, id, name) }
        }
    }
}
