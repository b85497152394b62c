import FlowerProto
import LinkState
import RPC
import NodeCrypto
import XCTest

/// ServerAppIo failures: tokens, run gates, node IDs, and PushMessages batches that must be
/// all-or-nothing.
final class ServerAppIoErrorTests: XCTestCase {
    func testBadTokens() async throws {
        try await withLink { link in
            let runID = try await link.startRun()
            await assertStatus(.permissionDenied, "Invalid token.") { try await link.pullAppInputs(token: "nope") }
            var outputs = FlwrPushAppOutputsRequest()
            outputs.token = "nope"
            outputs.runID = runID
            await assertStatus(.permissionDenied, "Invalid token.") {
                try await link.appIo(FlwrServerAppIo.pushAppOutputs, outputs)
            }
            let run = try await link.listedRun(runID)
            XCTAssertEqual(run.status?.status, "pending")

            // A token is good for one PullAppInputs: the run is running after it.
            let token = try await link.requestToken(runID)
            _ = try await link.pullAppInputs(token: token)
            await assertStatus(.failedPrecondition, "Failed to start run \(runID)") {
                try await link.pullAppInputs(token: token)
            }
            // Another run's token does not write this run's outputs.
            let other = try await link.startRun()
            let otherToken = try await link.requestToken(other)
            outputs.token = otherToken
            await assertStatus(.permissionDenied, "Invalid token.") {
                try await link.appIo(FlwrServerAppIo.pushAppOutputs, outputs)
            }
        }
    }

    /// Flower checks the run's FAB before moving it to running: with the FAB gone from the storage
    /// directory, PullAppInputs fails and changes nothing, in one state call.
    func testPullAppInputsWithAMissingFABLeavesTheRunStarting() async throws {
        try await forEachBackend { link in
            let backend = link.backend.rawValue
            let runID = try await link.startRun()
            let token = try await link.requestToken(runID)
            let hash = try await link.listedRun(runID).fabHash
            let path = link.fabDirectory + "/" + hash
            XCTAssertEqual(unlink(path), 0, path)

            let before = link.state.callCounts()
            await assertStatus(.failedPrecondition, "Failed to start run \(runID)") {
                try await link.pullAppInputs(token: token)
            }
            var calls = link.state.callCounts()
            for (name, count) in before { calls[name, default: 0] -= count }
            XCTAssertEqual(calls.filter { $0.value != 0 }, ["startApp": 1], backend)
            let run = try await link.listedRun(runID)
            XCTAssertEqual(run.status?.status, "starting", backend)
            XCTAssertEqual(run.runningAt, "", backend)
            var beat = FlwrSendAppHeartbeatRequest()
            beat.token = token
            let alive = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            XCTAssertTrue(alive.success, "\(backend): the token should still be live")

            // The FAB back (StartRun stores the same bytes again): the same token starts the run.
            _ = try await link.startRun()
            let inputs = try await link.pullAppInputs(token: token)
            XCTAssertEqual(inputs.fab?.content, TestFAB.standard, backend)
            let running = try await link.listedRun(runID)
            XCTAssertEqual(running.status?.status, "running", backend)
        }
    }

    func testObjectAndMessageRPCsGateOnTheRunPhase() async throws {
        try await forEachBackend { link in
            let pending = try await link.startRun()
            let starting = try await link.startRun()
            _ = try await link.requestToken(starting)
            let (finished, _) = try await link.runningRun()
            try await link.updateRunStatus(finished, "finished", "completed")
            let stopped = try await link.startRun()
            _ = try await link.stopRun(stopped)

            let cases: [(UInt64, String)] = [
                (pending, "Run is pending."), (starting, "Run is starting."), (finished, "Run is finished."),
                (stopped, "Run is finished. Stopped by user."),
            ]
            let object = FlowerObjects.configRecord.object
            for (runID, detail) in cases {
                let d = Detail.exactly(detail)
                await assertStatus(.permissionDenied, d) { try await link.appIoPushObject(runID: runID, object) }
                await assertStatus(.permissionDenied, d) { try await link.appIoPullObject(runID: runID, id: object.id) }
                // Flower checks the run before the node ID.
                await assertStatus(.permissionDenied, d) {
                    try await link.appIoPullObject(runID: runID, id: object.id, nodeID: 2)
                }
                var confirm = FlwrConfirmMessageReceivedRequest()
                confirm.runID = runID
                confirm.messageObjectID = object.id
                await assertStatus(.permissionDenied, d) {
                    try await link.appIo(FlwrServerAppIo.confirmMessageReceived, confirm)
                }
                let message = FlowerObjects.instruction(runID: runID, dst: 99, createdAt: link.clock.now)
                await assertStatus(.permissionDenied, d) { try await link.pushInstructions([message], runID: runID) }
                await assertStatus(.permissionDenied, d) { try await link.pullReplies(runID: runID, [message.id]) }
                var nodes = FlwrGetNodesRequest()
                nodes.runID = runID
                await assertStatus(.permissionDenied, d) { try await link.appIo(FlwrServerAppIo.getNodes, nodes) }
            }
            // UpdateRunStatus on a finished run says how it finished.
            await assertStatus(.permissionDenied, "Run is finished.") {
                try await link.updateRunStatus(finished, "finished", "completed")
            }
            await assertStatus(.permissionDenied, "Run is finished. Stopped by user.") {
                try await link.updateRunStatus(stopped, "running")
            }
            let run = try await link.listedRun(stopped)
            XCTAssertEqual(run.status?.subStatus, "stopped")
        }
    }

    func testObjectRPCsNeedTheSuperLinkNodeID() async throws {
        try await withLink { link in
            let (runID, _) = try await link.runningRun()
            let object = FlowerObjects.configRecord.object
            for nodeID: UInt64 in [0, 2, 12345] {
                await assertStatus(.failedPrecondition, "Unexpected node ID.") {
                    try await link.appIoPushObject(runID: runID, object, nodeID: nodeID)
                }
                await assertStatus(.failedPrecondition, "Unexpected node ID.") {
                    try await link.appIoPullObject(runID: runID, id: object.id, nodeID: nodeID)
                }
            }
            // No node at all is node 0.
            var req = FlwrPullObjectRequest()
            req.runID = runID
            req.objectID = object.id
            await assertStatus(.failedPrecondition, "Unexpected node ID.") {
                try await link.appIo(FlwrServerAppIo.pullObject, req)
            }
        }
    }

    func testUnknownRun() async throws {
        try await withLink { link in
            await assertStatus(.notFound, "Run ID not found: 999") {
                try await link.appIoPullObject(runID: 999, id: FlowerObjects.configRecord.object.id)
            }
            await assertStatus(.notFound, "Run ID not found: 999") { try await link.pullReplies(runID: 999, []) }
            await assertStatus(.notFound, "Run ID not found: 999") { try await link.updateRunStatus(999, "running") }
            var logs = FlwrPushLogsRequest()
            logs.runID = 999
            logs.logs = ["x"]
            await assertStatus(.unknown, "Exception calling application: Run 999 not found") {
                try await link.appIo(FlwrServerAppIo.pushLogs, logs)
            }
            // GetRun answers an unknown run with an empty response (the SuperExec relies on it).
            var get = FlwrGetRunRequest()
            get.runID = 999
            let resp = try await link.appIo(FlwrServerAppIo.getRun, get)
            XCTAssertNil(resp.run)
            // So does RequestToken.
            let token = try await link.requestToken(999)
            XCTAssertEqual(token, "")
        }
    }

    func testPushObjectHashAndContentChecks() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode()
            let (runID, _) = try await link.runningRun()
            let message = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now)
            _ = try await link.pushInstructions([message], runID: runID)
            let config = FlowerObjects.configRecord.object
            // The bytes of another object under this ID: refused, and the object stays unavailable.
            let wrong = try await link.appIoPushObject(runID: runID, id: config.id, content: FlowerObjects.metricRecord.object.bytes)
            XCTAssertFalse(wrong)
            let wrongByNode = try await link.fleetPushObject(node, runID: runID, id: config.id, content: config.bytes + [0])
            XCTAssertFalse(wrongByNode)
            let still = try await link.appIoPullObject(runID: runID, id: config.id)
            XCTAssertTrue(still.objectFound)
            XCTAssertFalse(still.objectAvailable, link.backend.rawValue)
            // Never preregistered: refused.
            let stranger = FlowerObject(type: "ConfigRecord", children: [], body: [])
            let unregistered = try await link.appIoPushObject(runID: runID, stranger)
            XCTAssertFalse(unregistered)
            let missing = try await link.appIoPullObject(runID: runID, id: stranger.id)
            XCTAssertFalse(missing.objectFound)

            // Bytes that hash to their ID but are no object: FAILED_PRECONDITION, nothing stored.
            let invalid: [[UInt8]] = [
                Array("ConfigRecord  3".utf8),  // no divider
                Array("ConfigRecord 0".utf8) + [0],  // two head parts
                Array("Foo  0".utf8) + [0],  // unknown type
                Array("RecordDict abc 2".utf8) + [0] + Array("{}".utf8),  // bad child ID
                Array("ConfigRecord  3".utf8) + [0, 1, 2],  // body shorter than the head says
            ]
            for bytes in invalid {
                let id = FlowerObject.sha256(bytes)
                await assertStatus(.failedPrecondition, .prefix("Object with ID '\(id)' has an unexpected structure. ")) {
                    try await link.appIoPushObject(runID: runID, id: id, content: bytes)
                }
                await assertStatus(.failedPrecondition, .prefix("Object with ID '\(id)' has an unexpected structure. ")) {
                    try await link.fleetPushObject(node, runID: runID, id: id, content: bytes)
                }
                let pulled = try await link.appIoPullObject(runID: runID, id: id)
                XCTAssertFalse(pulled.objectFound)
            }
        }
    }

    func testPushMessagesBatchIsAllOrNothing() async throws {
        try await forEachBackend { link in
            let a = try await link.newNode()
            let b = try await link.newNode()
            let (runID, _) = try await link.runningRun()
            let now = link.clock.now
            let good = FlowerObjects.instruction(runID: runID, dst: a.id, createdAt: now)
            var bad = FlowerObjects.instruction(runID: runID, dst: b.id, createdAt: now, type: "evaluate")
            bad.message.content = nil  // neither content nor error
            let expired = FlowerObjects.instruction(runID: runID, dst: b.id, createdAt: now - 100, ttl: 10)
            var foreign = FlowerObjects.instruction(runID: runID + 1, dst: b.id, createdAt: now)
            foreign.message.metadata?.runID = runID + 1
            var fromNode = FlowerObjects.instruction(runID: runID, dst: b.id, createdAt: now)
            fromNode.message.metadata?.srcNodeID = 5

            let batches: [([OutgoingMessage], Detail)] = [
                ([good, bad], "Malformed PushMessages: Either message `content` or `error` must be set (but not both)"),
                ([good, expired], "Malformed PushMessages: Message TTL has expired"),
                ([good, foreign], .prefix("Malformed PushMessages: `metadata.run_id`")),
                ([good, fromNode], "Malformed PushMessages: `metadata.src_node_id` is not 1 (SuperLink node ID)"),
            ]
            for (batch, detail) in batches {
                await assertStatus(.invalidArgument, detail) { try await link.pushInstructions(batch, runID: runID) }
            }
            // A tree whose root is not the message ID.
            var req = FlwrPushAppMessagesRequest()
            req.runID = runID
            req.messagesList = [good.message, good.message]
            req.messageObjectTrees = [good.tree, FlowerObjects.trainContent.wire]
            await assertStatus(.invalidArgument, .prefix("Malformed PushMessages: ")) {
                try await link.appIo(FlwrServerAppIo.pushMessages, req)
            }
            // Lists of different lengths; an empty list.
            req.messageObjectTrees = [good.tree]
            await assertStatus(.invalidArgument, .prefix("Malformed PushMessages: ")) {
                try await link.appIo(FlwrServerAppIo.pushMessages, req)
            }
            await assertStatus(.invalidArgument, "Malformed PushMessages: `messages_list` must not be empty") {
                try await link.pushInstructions([], runID: runID)
            }
            XCTAssertEqual(link.state.count("storeInstructions"), 0, "a refused batch reached the state")
            // An object ID that is not an object ID (refused by the state, in one transaction).
            var malformedID = good
            malformedID.message.metadata?.messageID = "XYZ"
            req.messagesList = [good.message, malformedID.message]
            var t = FlwrObjectTree()
            t.objectID = "XYZ"
            req.messageObjectTrees = [good.tree, t]
            await assertStatus(.invalidArgument, .any) { try await link.appIo(FlwrServerAppIo.pushMessages, req) }

            // Nothing of any batch was stored: no instruction for either node, no object known.
            for node in [a, b] {
                let pulled = try await link.pullInstruction(node)
                XCTAssertTrue(pulled.messagesList.isEmpty, "\(link.backend): a refused batch delivered a message")
            }
            for object in good.objects {
                let o = try await link.appIoPullObject(runID: runID, id: object.id)
                XCTAssertFalse(o.objectFound, "\(link.backend): a refused batch preregistered \(object.id)")
            }
        }
    }

    func testPushMessagesToAnUnknownNodeIsRefusedPerMessage() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode()
            let (runID, _) = try await link.runningRun()
            let now = link.clock.now
            let good = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: now)
            let lost = FlowerObjects.instruction(runID: runID, dst: 424_242, createdAt: now, type: "query")
            let resp = try await link.pushInstructions([lost, good], runID: runID)
            XCTAssertEqual(resp.messageIDs, ["", good.id], link.backend.rawValue)
            let pulled = try await link.pullInstruction(node)
            XCTAssertEqual(pulled.messagesList.map { $0.metadata?.messageID }, [good.id])
            let o = try await link.appIoPullObject(runID: runID, id: lost.id)
            XCTAssertFalse(o.objectFound, "\(link.backend): a refused message's tree was preregistered")
        }
    }
}

extension FlowerObject {
    static func sha256(_ bytes: [UInt8]) -> String { Digest.sha256Hex(bytes) }
}
