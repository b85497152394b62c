import FlowerProto
import LinkState
import RPC
import SuperLink
import XCTest

/// Node registration, activation, heartbeats, deactivation and unregistration over Fleet
/// (protocol §2.4, §4.1). Detail strings as observed from `flower-superlink` 1.28.
final class FleetLifecycleTests: XCTestCase {
    func testRegisterActivateHeartbeat() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode(activate: nil)
            let registered = try await link.state.node(node.id)
            XCTAssertEqual(registered?.status, .registered)
            XCTAssertEqual(registered?.publicKey, node.publicKeyPEM)
            XCTAssertNil(registered?.onlineUntil)

            var act = FlwrActivateNodeRequest()
            act.publicKey = node.publicKeyPEM
            act.heartbeatInterval = 30
            let activated = try await link.fleet(node, FlwrFleet.activateNode, act)
            XCTAssertEqual(activated.nodeID, node.id)
            let online = try await link.state.node(node.id)
            XCTAssertEqual(online?.status, .online)
            XCTAssertEqual(online?.onlineUntil ?? 0, link.clock.now + 60, accuracy: 0.01)

            link.clock.advance(20)
            let beat = try await link.heartbeat(node, interval: 45)
            XCTAssertTrue(beat)
            let extended = try await link.state.node(node.id)
            XCTAssertEqual(extended?.onlineUntil ?? 0, link.clock.now + 90, accuracy: 0.01)
            XCTAssertEqual(extended?.heartbeatInterval, 45)
            // The interval bounds are inclusive.
            let low = try await link.heartbeat(node, interval: 10)
            let high = try await link.heartbeat(node, interval: 1800)
            XCTAssertTrue(low && high)
        }
    }

    func testHeartbeatIntervalOutOfBounds() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            let before = try await link.state.node(node.id)
            link.clock.advance(1)
            for interval in [9.99, 0, -30, 1800.01, 86400, .nan, .infinity] {
                await assertStatus(.invalidArgument, "Invalid heartbeat interval") {
                    try await link.heartbeat(node, interval: interval)
                }
            }
            let after = try await link.state.node(node.id)
            XCTAssertEqual(before, after, "a refused heartbeat changed the node")

            let fresh = try await link.newNode(activate: nil)
            var act = FlwrActivateNodeRequest()
            act.publicKey = fresh.publicKeyPEM
            act.heartbeatInterval = 5
            await assertStatus(.invalidArgument, "Invalid heartbeat interval") {
                try await link.fleet(fresh, FlwrFleet.activateNode, act)
            }
            let still = try await link.state.node(fresh.id)
            XCTAssertEqual(still?.status, .registered)
        }
    }

    func testDuplicateRegistrationAndUnknownKey() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode()
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = node.publicKeyPEM
            await assertStatus(.failedPrecondition, "Public key already in use") {
                try await link.fleet(node, FlwrFleet.registerNode, reg)
            }
            let stranger = TestNode()
            var act = FlwrActivateNodeRequest()
            act.publicKey = stranger.publicKeyPEM
            act.heartbeatInterval = 30
            await assertStatus(.failedPrecondition, "No SuperNode found with the given public key.") {
                try await link.fleet(stranger, FlwrFleet.activateNode, act)
            }
            let nodes = try await link.state.nodes(ownerAid: "<id:none>")
            XCTAssertEqual(nodes.map(\.nodeID), [node.id])
        }
    }

    func testActivateDeactivateTransitions() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            var act = FlwrActivateNodeRequest()
            act.publicKey = node.publicKeyPEM
            act.heartbeatInterval = 30
            await assertStatus(.failedPrecondition, "SuperNode with node ID \(node.id) could not be activated.") {
                try await link.fleet(node, FlwrFleet.activateNode, act)
            }
            var deact = FlwrDeactivateNodeRequest()
            deact.nodeID = node.id
            _ = try await link.fleet(node, FlwrFleet.deactivateNode, deact)
            let offline = try await link.state.node(node.id)
            XCTAssertEqual(offline?.status, .offline)
            await assertStatus(.failedPrecondition, "SuperNode with node ID \(node.id) could not be deactivated.") {
                try await link.fleet(node, FlwrFleet.deactivateNode, deact)
            }
            // An offline node can come back.
            let again = try await link.fleet(node, FlwrFleet.activateNode, act)
            XCTAssertEqual(again.nodeID, node.id)
            let online = try await link.state.node(node.id)
            XCTAssertEqual(online?.status, .online)

            // A registered, never-activated node cannot be deactivated.
            let fresh = try await link.newNode(activate: nil)
            deact.nodeID = fresh.id
            await assertStatus(.failedPrecondition, "SuperNode with node ID \(fresh.id) could not be deactivated.") {
                try await link.fleet(fresh, FlwrFleet.deactivateNode, deact)
            }
        }
    }

    func testUnregisterEndsTheNodesIdentity() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode()
            var unreg = FlwrUnregisterNodeFleetRequest()
            unreg.nodeID = node.id
            _ = try await link.fleet(node, FlwrFleet.unregisterNode, unreg)
            let gone = try await link.state.node(node.id)
            XCTAssertEqual(gone?.status, .unregistered)
            XCTAssertNotNil(gone?.unregisteredAt)

            // The key no longer names a node...
            await assertStatus(.unauthenticated, "Invalid node ID") {
                try await link.fleet(node, FlwrFleet.unregisterNode, unreg)
            }
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.heartbeat(node) }
            var act = FlwrActivateNodeRequest()
            act.publicKey = node.publicKeyPEM
            act.heartbeatInterval = 30
            await assertStatus(.failedPrecondition, "No SuperNode found with the given public key.") {
                try await link.fleet(node, FlwrFleet.activateNode, act)
            }
            // ...but stays taken (Flower keeps the row).
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = node.publicKeyPEM
            await assertStatus(.failedPrecondition, "Public key already in use") {
                try await link.fleet(node, FlwrFleet.registerNode, reg)
            }
        }
    }

    func testSupernodeAuthRefusesFleetSelfService() async throws {
        try await withLink(options: ServiceContext.Options(enableSupernodeAuth: true)) { link in
            let node = TestNode()
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = node.publicKeyPEM
            await assertStatus(
                .failedPrecondition,
                "SuperNode authentication is enabled. All SuperNodes must be registered via the CLI."
            ) {
                try await link.fleet(node, FlwrFleet.registerNode, reg)
            }
            let none = try await link.state.nodes(ownerAid: "<id:none>")
            XCTAssertTrue(none.isEmpty)

            // The CLI path: Control RegisterNode, then the node activates over Fleet.
            var creg = FlwrRegisterNodeRequest()
            creg.publicKey = node.publicKeyPEM
            let registered = try await link.control(FlwrControl.registerNode, creg)
            let id = try XCTUnwrap(registered.nodeID)
            await assertStatus(.failedPrecondition, "Public key already in use") {
                try await link.control(FlwrControl.registerNode, creg)
            }
            creg.publicKey = Array("xx".utf8)
            await assertStatus(.failedPrecondition, "The provided public key is not valid") {
                try await link.control(FlwrControl.registerNode, creg)
            }
            var act = FlwrActivateNodeRequest()
            act.publicKey = node.publicKeyPEM
            act.heartbeatInterval = 30
            let activated = try await link.fleet(node, FlwrFleet.activateNode, act)
            XCTAssertEqual(activated.nodeID, id)

            var unreg = FlwrUnregisterNodeFleetRequest()
            unreg.nodeID = id
            await assertStatus(
                .failedPrecondition,
                "SuperNode authentication is enabled. All SuperNodes must be unregistered via the CLI."
            ) {
                try await link.fleet(TestNode(key: node.key, id: id), FlwrFleet.unregisterNode, unreg)
            }
            let still = try await link.state.node(id)
            XCTAssertEqual(still?.status, .online)

            var cunreg = FlwrUnregisterNodeRequest()
            cunreg.nodeID = id
            _ = try await link.control(FlwrControl.unregisterNode, cunreg)
            await assertStatus(.notFound, "Node ID not found for account") {
                try await link.control(FlwrControl.unregisterNode, cunreg)
            }
        }
    }
}
