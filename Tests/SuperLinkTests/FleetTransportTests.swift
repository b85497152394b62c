import FlowerProto
import Foundation
import LinkState
import RPC
import SuperLink
import TestSupport
import XCTest

/// The GrpcAdapter and REST Fleet transports (protocol §4.7, §7.5): the shared Fleet handlers
/// without node signature auth, and each transport's own framing and failures, as observed on
/// `flower-superlink --fleet-api-type grpc-adapter|rest` 1.28.
final class FleetTransportTests: XCTestCase {
    static let tunnels: [SuperLinkServer.FleetAPIType] = [.grpcAdapter, .rest]

    // MARK: Both transports

    func testRunRoundTripThroughEachTunnel() async throws {
        for type in Self.tunnels {
            for backend in StateBackend.allCases {
                try await withTunnel(type, backend: backend) { t in try await Self.roundTrip(t) }
            }
        }
    }

    /// A SuperNode's whole part of a run, unsigned, through the tunnel; the ServerApp side over gRPC.
    static func roundTrip(_ t: TunnelLink) async throws {
        let what = "\(t.type.rawValue)"
        let node = try await t.newNode()
        let registered = try await t.link.state.node(node.id)
        XCTAssertEqual(registered?.status, .online, what)
        XCTAssertEqual(registered?.publicKey, node.publicKeyPEM, what)

        var beat = FlwrSendNodeHeartbeatRequest()
        beat.node = node.node
        beat.heartbeatInterval = 30
        let acknowledged = try await t.fleet(beat, as: FlwrSendNodeHeartbeatResponse.self).success
        XCTAssertTrue(acknowledged, what)

        let (runID, _) = try await t.link.runningRun()
        var getRun = FlwrGetRunRequest()
        getRun.node = node.node
        getRun.runID = runID
        let run = try await t.fleet(getRun, as: FlwrGetRunResponse.self).run
        XCTAssertEqual(run?.runID, runID, what)
        var getFab = FlwrGetFabRequest()
        getFab.node = node.node
        getFab.runID = runID
        getFab.hashStr = run?.fabHash ?? ""
        let fab = try await t.fleet(getFab, as: FlwrGetFabResponse.self).fab
        XCTAssertEqual(fab?.content, TestFAB.standard, what)

        let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: t.link.clock.now)
        try await t.link.sendInstruction(instruction, runID: runID)
        var pull = FlwrPullMessagesRequest()
        pull.node = node.node
        let pulled = try await t.fleet(pull, as: FlwrPullMessagesResponse.self)
        XCTAssertEqual(pulled.messagesList.map { $0.metadata?.messageID }, [instruction.id], what)
        XCTAssertEqual(pulled.messageObjectTrees, [instruction.tree], what)
        let again = try await t.fleet(pull, as: FlwrPullMessagesResponse.self)
        XCTAssertTrue(again.messagesList.isEmpty, "\(what): delivered twice")

        for object in instruction.objects {
            var req = FlwrPullObjectRequest()
            req.node = node.node
            req.runID = runID
            req.objectID = object.id
            let o = try await t.fleet(req, as: FlwrPullObjectResponse.self)
            XCTAssertTrue(o.objectFound && o.objectAvailable, "\(what): \(object.id)")
            XCTAssertEqual(o.objectContent, object.bytes, what)
        }
        var confirm = FlwrConfirmMessageReceivedRequest()
        confirm.node = node.node
        confirm.runID = runID
        confirm.messageObjectID = instruction.id
        _ = try await t.fleet(confirm, as: FlwrConfirmMessageReceivedResponse.self)

        let got = try XCTUnwrap(pulled.messagesList.first)
        let reply = FlowerObjects.reply(to: got, from: node.id, createdAt: t.link.clock.now)
        var push = FlwrPushMessagesRequest()
        push.node = node.node
        push.messagesList = [reply.message]
        push.messageObjectTrees = [reply.tree]
        push.clientappRuntimeList = [0.5]
        let pushed = try await t.fleet(push, as: FlwrPushMessagesResponse.self)
        XCTAssertEqual(pushed.results, [reply.id: 0], what)
        for object in reply.objects where pushed.objectsToPush.contains(object.id) {
            var req = FlwrPushObjectRequest()
            req.node = node.node
            req.runID = runID
            req.objectID = object.id
            req.objectContent = object.bytes
            let stored = try await t.fleet(req, as: FlwrPushObjectResponse.self).stored
            XCTAssertTrue(stored, "\(what): \(object.id)")
        }
        let replies = try await t.link.pullReplies(runID: runID, [instruction.id])
        XCTAssertEqual(replies.messagesList.map { $0.metadata?.messageID }, [reply.id], what)
        let listed = try await t.link.listedRun(runID)
        XCTAssertEqual(listed.clientappRuntime, 0.5, accuracy: 1e-9)
        XCTAssertGreaterThan(listed.bytesSent, 0, what)

        var deactivate = FlwrDeactivateNodeRequest()
        deactivate.nodeID = node.id
        _ = try await t.fleet(deactivate, as: FlwrDeactivateNodeResponse.self)
        var unregister = FlwrUnregisterNodeFleetRequest()
        unregister.nodeID = node.id
        _ = try await t.fleet(unregister, as: FlwrUnregisterNodeFleetResponse.self)
        let gone = try await t.link.state.node(node.id)
        XCTAssertEqual(gone?.status, .unregistered, what)
    }

    /// As in Flower, the caller is who the request says: an unknown node's heartbeat is
    /// `success=false` and its pull is empty; a reply still must come from the node it names.
    func testUnauthenticatedCallerIsTheNamedNode() async throws {
        for type in Self.tunnels {
            try await withTunnel(type) { t in
                var beat = FlwrSendNodeHeartbeatRequest()
                beat.node = TestNode(id: 4242).node
                beat.heartbeatInterval = 30
                let success = try await t.fleet(beat, as: FlwrSendNodeHeartbeatResponse.self).success
                XCTAssertFalse(success)
                var pull = FlwrPullMessagesRequest()
                pull.node = TestNode(id: 4242).node
                let pulled = try await t.fleet(pull, as: FlwrPullMessagesResponse.self)
                XCTAssertTrue(pulled.messagesList.isEmpty)

                // Another node's instruction is not claimable by naming yourself.
                let a = try await t.newNode(), b = try await t.newNode()
                let (runID, _) = try await t.link.runningRun()
                let instruction = FlowerObjects.instruction(runID: runID, dst: a.id, createdAt: t.link.clock.now)
                try await t.link.sendInstruction(instruction, runID: runID)
                pull.node = b.node
                let none = try await t.fleet(pull, as: FlwrPullMessagesResponse.self)
                XCTAssertTrue(none.messagesList.isEmpty, type.rawValue)
                pull.node = a.node
                let claimed = try await t.fleet(pull, as: FlwrPullMessagesResponse.self)
                let got = try XCTUnwrap(claimed.messagesList.first)
                // b answering for a's instruction (src = a, claimed node = b) is refused.
                let forged = FlowerObjects.reply(to: got, from: a.id, createdAt: t.link.clock.now)
                var push = FlwrPushMessagesRequest()
                push.node = b.node
                push.messagesList = [forged.message]
                push.messageObjectTrees = [forged.tree]
                push.clientappRuntimeList = [0]
                do {
                    _ = try await t.fleet(push, as: FlwrPushMessagesResponse.self)
                    XCTFail("\(type.rawValue): a reply from another node was accepted")
                } catch let status as RPCStatus {
                    XCTAssertEqual(status, RPCStatus(.unauthenticated, "Invalid node ID"))
                } catch let failure as TunnelLink.RESTFailure {
                    XCTAssertEqual(failure, TunnelLink.RESTFailure(status: 500, body: "Internal Server Error"))
                }
            }
        }
    }

    func testNoSignatureMetadataNeededButFleetServiceIsNotServed() async throws {
        try await withTunnel(.grpcAdapter) { t in
            // The adapter port serves only GrpcAdapter, as Flower's does.
            let channel = RPCChannel(target: t.server.boundFleetAddress!)
            defer { channel.close() }
            await assertStatus(.unimplemented, .any) {
                try await channel.unary(FlwrFleet.pullMessages.path, request: [], metadata: .init(), timeout: .seconds(10))
            }
        }
    }

    // MARK: GrpcAdapter

    func testAdapterReplyCarriesResponseNameAndFlowerMetadata() async throws {
        try await withTunnel(.grpcAdapter) { t in
            let cases: [(request: String, content: [UInt8], response: String, module: String)] = [
                ("PullMessagesRequest", [], "PullMessagesResponse", "flwr.proto.fleet_pb2"),
                ("SendNodeHeartbeatRequest", { var r = FlwrSendNodeHeartbeatRequest(); r.heartbeatInterval = 30; return r.serializedBytes() }(),
                 "SendNodeHeartbeatResponse", "flwr.proto.heartbeat_pb2"),
            ]
            for c in cases {
                let reply = try await t.adapter(c.request, c.content, metadata: ["flower-version": "1.28.0"])
                XCTAssertEqual(reply.grpcMessageName, c.response)
                XCTAssertEqual(reply.metadata, [
                    "flower-package-name": "flwr", "flower-package-version": "1.28.0", "flower-version": "1.28.0",
                    "grpc-message-module": c.module, "grpc-message-qualname": c.response,
                ])
                XCTAssertNil(reply.metadata["should-exit"])
            }
        }
    }

    func testAdapterUnknownMessageNameIsFlowersValueError() async throws {
        try await withTunnel(.grpcAdapter) { t in
            for name in ["FooRequest", "", "PullMessagesResponse", "flwr.proto.PullMessagesRequest"] {
                await assertStatus(.unknown, "Exception calling application: Invalid grpc_message_name: \(name)") {
                    try await t.adapter(name, [])
                }
            }
        }
    }

    func testAdapterPassesFleetStatusesThrough() async throws {
        try await withTunnel(.grpcAdapter) { t in
            let node = try await t.newNode()
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = node.publicKeyPEM
            await assertStatus(.failedPrecondition, "Public key already in use") {
                try await t.fleet(reg, as: FlwrRegisterNodeFleetResponse.self)
            }
            var act = FlwrActivateNodeRequest()
            act.publicKey = Array("unknown".utf8)
            act.heartbeatInterval = 30
            await assertStatus(.failedPrecondition, "No SuperNode found with the given public key.") {
                try await t.fleet(act, as: FlwrActivateNodeResponse.self)
            }
            var getRun = FlwrGetRunRequest()
            getRun.node = node.node
            getRun.runID = 77
            await assertStatus(.permissionDenied, "Run ID not found: 77") {
                try await t.fleet(getRun, as: FlwrGetRunResponse.self)
            }
            await assertStatus(.invalidArgument, .prefix("Malformed request: ")) {
                try await t.adapter("PullMessagesRequest", [0xFF, 0xFF, 0xFF])
            }
        }
    }

    // MARK: REST

    func testRESTRoutingAndContentNegotiationAsStarlette() async throws {
        try await withTunnel(.rest) { t in
            let port = t.fleetPort
            let protobuf = "application/protobuf"
            func post(_ path: String, _ headers: [(String, String)]) async throws -> HTTPTestResponse {
                try await HTTPTestClient.send(port: port, path: path, headers: headers)
            }
            let both = [("Content-Type", protobuf), ("Accept", protobuf)]
            let cases: [(String, String, [(String, String)], Int, String)] = [
                ("POST", "/api/v0/fleet/pull-messages", both, 200, ""),
                ("POST", "/api/v0/fleet/pull-messages?x=1", both, 200, ""),
                // What Flower 1.28's REST SuperNode sends (Flower's own SuperLink answers 404).
                ("POST", "//api/v0/fleet/pull-messages", both, 200, ""),
                ("POST", "/api/v0/fleet/nope", both, 404, "Not Found"),
                ("POST", "/api/v1/fleet/pull-messages", both, 404, "Not Found"),
                ("POST", "/", [], 404, "Not Found"),
                ("GET", "/api/v0/fleet/pull-messages", both, 405, "Method Not Allowed"),
                ("POST", "/api/v0/fleet/pull-messages", [("Accept", protobuf)], 400, "Missing header `Content-Type`"),
                ("POST", "/api/v0/fleet/pull-messages", [("Content-Type", "application/json"), ("Accept", protobuf)], 400,
                 "Unsupported `Content-Type`"),
                ("POST", "/api/v0/fleet/pull-messages", [("Content-Type", "application/protobuf; charset=x"), ("Accept", protobuf)],
                 400, "Unsupported `Content-Type`"),
                ("POST", "/api/v0/fleet/pull-messages", [("Content-Type", protobuf)], 400, "Missing header `Accept`"),
                ("POST", "/api/v0/fleet/pull-messages", [("Content-Type", protobuf), ("Accept", "*/*")], 400, "Unsupported `Accept`"),
            ]
            for (method, path, headers, status, text) in cases {
                let r = try await HTTPTestClient.send(port: port, method: method, path: path, headers: headers)
                XCTAssertEqual(r.status, status, "\(method) \(path) \(headers)")
                XCTAssertEqual(r.text, text, "\(method) \(path) \(headers)")
                XCTAssertEqual(r.headers["content-type"], status == 200 ? protobuf : "text/plain; charset=utf-8")
                if status == 405 { XCTAssertEqual(r.headers["allow"], "POST") }
            }
            let redirect = try await post("/api/v0/fleet/pull-messages/?a=b", both)
            XCTAssertEqual(redirect.status, 307)
            XCTAssertEqual(redirect.headers["location"], "http://127.0.0.1:\(port)/api/v0/fleet/pull-messages?a=b")
        }
    }

    func testRESTHandlerFailuresAre500() async throws {
        try await withTunnel(.rest) { t in
            let node = try await t.newNode()
            var reg = FlwrRegisterNodeFleetRequest()
            reg.publicKey = node.publicKeyPEM
            var beat = FlwrSendNodeHeartbeatRequest()
            beat.node = node.node
            beat.heartbeatInterval = 3
            var getRun = FlwrGetRunRequest()
            getRun.runID = 77
            let failing: [(String, [UInt8])] = [
                ("register-node", reg.serializedBytes()),  // key in use
                ("send-node-heartbeat", beat.serializedBytes()),  // interval out of bounds
                ("get-run", getRun.serializedBytes()),  // unknown run
                ("push-messages", []),  // no message
                ("pull-messages", [0xFF, 0xFF, 0xFF]),  // not a protobuf
            ]
            for (name, body) in failing {
                let r = try await HTTPTestClient.fleet(port: t.fleetPort, name, body)
                XCTAssertEqual(r.status, 500, name)
                XCTAssertEqual(r.text, "Internal Server Error", name)
            }
        }
    }

    // MARK: Lifecycle

    func testRESTPortIsReportedRefusedWhenTakenAndClosedOnShutdown() async throws {
        try await withTunnel(.rest) { t in
            XCTAssertGreaterThan(t.fleetPort, 0)
            var config = SuperLinkServer.Configuration(storageDirectory: t.link.server.context.fabs.directory)
            config.controlAddress = "127.0.0.1:0"
            config.serverAppIoAddress = "127.0.0.1:0"
            config.fleetAddress = "127.0.0.1:\(t.fleetPort)"
            config.fleetAPIType = .rest
            let frozen = config
            let state = t.link.state
            do {
                _ = try await offPool { try SuperLinkServer.start(frozen, state: state) }
                XCTFail("a second REST Fleet API bound a taken port")
            } catch let error as SuperLinkServer.StartError {
                XCTAssertEqual(
                    error.description,
                    "Cannot serve the Fleet API on 127.0.0.1:\(t.fleetPort): Address already in use: 127.0.0.1:\(t.fleetPort)")
            }
        }
        // After shutdown the port no longer answers.
        let t = try await TunnelLink.start(.rest)
        let port = t.fleetPort
        await t.stop()
        do {
            _ = try await HTTPTestClient.fleet(port: port, "pull-messages", [])
            XCTFail("REST Fleet API still answering after shutdown")
        } catch is HTTPTestClient.Failure {}
    }
}
