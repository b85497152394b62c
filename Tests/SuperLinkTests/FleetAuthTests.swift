import FlowerProto
import LinkState
import NodeCrypto
import RPC
import XCTest

/// Fleet's node-auth interceptor semantics (protocol §4.1), over real gRPC.
final class FleetAuthTests: XCTestCase {
    func testEveryMissingHeaderIsRefusedOnEveryFleetMethod() async throws {
        try await withLink { link in
            let node = TestNode()
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = node.publicKeyPEM
            for signing: TestNode.Signing in [
                .none, .omit(TestNode.publicKeyHeader), .omit(TestNode.timestampHeader), .omit(TestNode.signatureHeader),
            ] {
                await assertStatus(.unauthenticated, "Missing authentication metadata") {
                    try await link.fleet(node, FlwrFleet.registerNode, reg, signing: signing)
                }
            }
            // Every Fleet method sits behind the check, whatever its body — even bytes that are
            // not a message at all: auth comes before decoding, as in Flower's interceptor.
            for path in FlwrFleet.allPaths {
                for body: [UInt8] in [[], [0x0a, 0xff, 0xff, 0xff, 0x0f], [0xff]] {
                    await assertStatus(.unauthenticated, "Missing authentication metadata") {
                        try await link.fleetChannel.unary(path, request: body, timeout: .seconds(10))
                    }
                }
            }
            let nodes = try await link.state.nodes(ownerAid: "<id:none>")
            XCTAssertTrue(nodes.isEmpty, "a refused call registered a node")
        }
    }

    func testBadSignaturesAndKeys() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            let before = try await link.state.node(node.id)
            let garbagePEM = Array("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n".utf8)
            for signing: TestNode.Signing in [
                .signedBy(.generateP384()), .signature(Array("garbage".utf8)), .signature([]),
                .publicKey(garbagePEM), .publicKey(Array("not a pem".utf8)),
                .publicKey(TestNode().publicKeyPEM),  // a valid key that did not sign
            ] {
                await assertStatus(.unauthenticated, "Invalid signature") {
                    try await link.heartbeat(node, signing: signing)
                }
            }
            let after = try await link.state.node(node.id)
            XCTAssertEqual(before, after, "a refused heartbeat changed the node")
        }
    }

    func testTimestampWindowAndReplay() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            // Accepted strictly inside (-5, +305) seconds of age.
            for offset in [-300.0, -1, 0, 4] {
                let ok = try await link.heartbeat(node, signing: .timestampOffset(offset))
                XCTAssertTrue(ok, "offset \(offset)")
            }
            for offset in [-306.0, -3600, 6, 600] {
                await assertStatus(.unauthenticated, "Invalid timestamp") {
                    try await link.heartbeat(node, signing: .timestampOffset(offset))
                }
            }
            // A captured, validly signed call replayed 306 s later.
            let captured = node.signedTimestamp(at: link.clock.now)
            let fresh = try await link.heartbeat(node, signing: .replay(timestamp: captured.timestamp, signature: captured.signature))
            XCTAssertTrue(fresh)
            link.clock.advance(306)
            await assertStatus(.unauthenticated, "Invalid timestamp") {
                try await link.heartbeat(node, signing: .replay(timestamp: captured.timestamp, signature: captured.signature))
            }
        }
    }

    func testNodeIDMustBeTheSignersOwn() async throws {
        try await forEachBackend { link in
            let alice = try await link.newNode()
            let bob = try await link.newNode()
            let bobBefore = try await link.state.node(bob.id)
            link.clock.advance(1)
            // Alice signs validly but names Bob's node, on every node-scoped method.
            var impostor = alice
            impostor.id = bob.id
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.heartbeat(impostor) }
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.pullInstruction(impostor) }
            var deactivate = FlwrDeactivateNodeRequest()
            deactivate.nodeID = bob.id
            await assertStatus(.unauthenticated, "Invalid node ID") {
                try await link.fleet(alice, FlwrFleet.deactivateNode, deactivate)
            }
            var unregister = FlwrUnregisterNodeFleetRequest()
            unregister.nodeID = bob.id
            await assertStatus(.unauthenticated, "Invalid node ID") {
                try await link.fleet(alice, FlwrFleet.unregisterNode, unregister)
            }
            var getRun = FlwrGetRunRequest()
            getRun.node = bob.node
            getRun.runID = 1
            await assertStatus(.unauthenticated, "Invalid node ID") {
                try await link.fleet(alice, FlwrFleet.getRun, getRun)
            }
            let bobAfter = try await link.state.node(bob.id)
            XCTAssertEqual(bobBefore, bobAfter, "\(link.backend): an impostor changed Bob")
            XCTAssertEqual(bobAfter?.status, .online)
        }
    }

    func testUnregisteredNodeIsUnknown() async throws {
        try await withLink { link in
            var stranger = TestNode()
            stranger.id = 12345
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.heartbeat(stranger) }
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.pullInstruction(stranger) }
            stranger.id = 0
            await assertStatus(.unauthenticated, "Invalid node ID") { try await link.heartbeat(stranger) }
        }
    }

    func testRegisterAndActivateUseTheSigningKey() async throws {
        try await withLink { link in
            let signer = TestNode()
            let other = TestNode()
            // Enrolling a key the caller cannot sign with is refused (Flower would register it).
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = other.publicKeyPEM
            await assertStatus(.unauthenticated, "Invalid node ID") {
                try await link.fleet(signer, FlwrFleet.registerNode, reg)
            }
            let nodes = try await link.state.nodes(ownerAid: "<id:none>")
            XCTAssertTrue(nodes.isEmpty)
        }
    }

    /// Flower accepts any NIST-curve EC key (observed: a P-256 SuperNode registers), and Python
    /// omits the fraction from `isoformat()` at a whole second.
    func testOtherCurvesAndWholeSecondTimestamps() async throws {
        try await withLink { link in
            for pem in [Self.p256PrivateKey, Self.p521PrivateKey] {
                let key = try XCTUnwrap(ECPrivateKey(privateKeyPEM: Array(pem.utf8)))
                var node = TestNode(key: key)
                var reg = FlwrRegisterNodeFleetRequest()
                reg.publicKey = node.publicKeyPEM
                node.id = try await link.fleet(node, FlwrFleet.registerNode, reg).nodeID
                var act = FlwrActivateNodeRequest()
                act.publicKey = node.publicKeyPEM
                act.heartbeatInterval = 30
                _ = try await link.fleet(node, FlwrFleet.activateNode, act)
                let ok = try await link.heartbeat(node)
                XCTAssertTrue(ok)
            }
            let node = try await link.newNode()
            link.clock.advance(link.clock.now.rounded(.up) - link.clock.now)
            let signed = node.signedTimestamp(at: link.clock.now)
            XCTAssertFalse(signed.timestamp.contains("."), signed.timestamp)
            let ok = try await link.heartbeat(node, signing: .replay(timestamp: signed.timestamp, signature: signed.signature))
            XCTAssertTrue(ok)
        }
    }

    static let p256PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQguE4NY2kSlyKQ2CxQ
        IhLMZT9ZkZT93Zkj3SmPTQflYR2hRANCAARPyaQhA1C1RW7gJP27MLUd9tPxLh4B
        wKNRz23W1O+CGJOCCPyK12juZEyKoxMNxsXo78vCabhMu6ZucYfp4+nA
        -----END PRIVATE KEY-----

        """

    static let p521PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIAsuAxfN9xU9DrECK+
        lvsjI0AVdYHK9cBhL9j36pXzD7vzziMv86XsZnaFFVv/ZOhhJD+MgPyNKo3j9ePy
        CT18hN+hgYkDgYYABABGuN59OXImUbD5PP9teBbHnaD2A7v695xq4g96EhU/E9zt
        SO3Kas2zbykVEH4f0zFPqYSgXZc08D+vaEOwIMQzlAETwReG3JfFOlEWCVvs6jWz
        kRmHiP7xk3UY7ghA4JteIJadGdSz8af4vtFcfMnjlBeZ3rPH5CBhCQpsKuJYNxoQ
        HQ==
        -----END PRIVATE KEY-----

        """
}
