import FlowerProto
import LinkState
import RPC
import XCTest

/// A whole run at the protocol level, without Python: what the CLI, SuperExec, ServerApp and a
/// SuperNode send, in order (protocol §1.10, §3.5).
final class MessageRoundTripTests: XCTestCase {
    func testObjectBuildersMatchFlowerVectors() {
        XCTAssertEqual(FlowerObjects.array.object.id, "b9a940a38259d21f3260770f8dced99e845a19c75e48a1f0986dd4a4bbbb17ec")
        XCTAssertEqual(
            FlowerObjects.arrayRecord.object.id, "b58a30ee4286aa092fc40168d152ea7b93e440dac1ef463ee6cb77ca1688100d")
        XCTAssertEqual(
            FlowerObjects.configRecord.object.id, "cbeb170072d59060a9fb14048a5a78053150a6ede838541c128922a90eeefb0b")
        XCTAssertEqual(
            FlowerObjects.metricRecord.object.id, "b673462a83d15e172998a110fed37560a5106c0768ac2de0b422866ad1dbcd2e")
        XCTAssertEqual(
            FlowerObjects.trainContent.object.id, "2ba80376fdfa38f5a4874de94b96e410a019cd7f0b67314f4db53d59de220928")
        let message = FlowerObjects.instruction(runID: 42, dst: 1234, createdAt: 1_767_225_600, ttl: 43200)
        XCTAssertEqual(message.id, "8d6ee0e977e989540b003f8400128abd3e1237bec4612d09f19722d4fc6ec93f")
        XCTAssertEqual(message.objects.count, 7)
    }

    func testFullRunRoundTrip() async throws {
        try await forEachBackend { link in try await Self.roundTrip(link) }
    }

    static func roundTrip(_ link: TestLink) async throws {
        let node = try await link.newNode()
        let backend = link.backend.rawValue

        // CLI: StartRun with a real FAB and an override; SuperExec: pending → starting → running.
        var lr = FlwrScalar()
        lr.scalar = .double(0.5)
        let runID = try await link.startRun(overrides: ["lr": lr])
        let pending = try await link.appIo(FlwrServerAppIo.listAppsToLaunch, FlwrListAppsToLaunchRequest())
        XCTAssertEqual(pending.runIDs, [runID], backend)
        let token = try await link.requestToken(runID)
        XCTAssertEqual(token.count, 256, backend)
        let second = try await link.requestToken(runID)
        XCTAssertEqual(second, "", "\(backend): a second token for the same run")
        var starting = try await link.listedRun(runID)
        XCTAssertEqual(starting.status?.status, "starting", backend)
        let inputs = try await link.pullAppInputs(token: token)
        XCTAssertEqual(inputs.run?.runID, runID)
        XCTAssertEqual(inputs.run?.fabID, "sepal/sltestapp")
        XCTAssertEqual(inputs.run?.fabVersion, "1.2.3")
        XCTAssertEqual(inputs.run?.overrideConfig["lr"], lr)
        XCTAssertEqual(inputs.fab?.content, TestFAB.standard)
        XCTAssertEqual(inputs.fab?.hashStr, inputs.run?.fabHash)
        XCTAssertEqual(inputs.context?.runID, runID)
        XCTAssertEqual(inputs.context?.nodeID, 1)
        starting = try await link.listedRun(runID)
        XCTAssertEqual(starting.status?.status, "running", backend)

        // ServerApp: the node is visible; push an instruction and its objects.
        var getNodes = FlwrGetNodesRequest()
        getNodes.runID = runID
        let nodes = try await link.appIo(FlwrServerAppIo.getNodes, getNodes)
        XCTAssertEqual(nodes.nodes.map(\.nodeID), [node.id], backend)
        let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now)
        let pushed = try await link.pushInstructions([instruction], runID: runID)
        XCTAssertEqual(pushed.messageIDs, [instruction.id], backend)
        XCTAssertEqual(Set(pushed.objectsToPush), Set(instruction.objects.map(\.id)), backend)
        for object in instruction.objects {
            let stored = try await link.appIoPushObject(runID: runID, object)
            XCTAssertTrue(stored, "\(backend): \(object.id)")
        }
        // Pushing the same bytes again is harmless.
        let again = try await link.appIoPushObject(runID: runID, instruction.objects[0])
        XCTAssertTrue(again)

        // SuperNode: gets the instruction exactly once, with its tree.
        let pulled = try await link.pullInstruction(node)
        XCTAssertEqual(pulled.messagesList.count, 1, backend)
        let got = try XCTUnwrap(pulled.messagesList.first)
        XCTAssertEqual(got.metadata?.messageID, instruction.id)
        XCTAssertEqual(got.metadata?.runID, runID)
        XCTAssertEqual(got.metadata?.srcNodeID, 1)
        XCTAssertEqual(got.metadata?.dstNodeID, node.id)
        XCTAssertEqual(got.metadata?.messageType, "train")
        XCTAssertNotNil(got.content, "a content message keeps its empty RecordDict")
        XCTAssertNil(got.error)
        XCTAssertEqual(pulled.messageObjectTrees, [instruction.tree], backend)
        let empty = try await link.pullInstruction(node)
        XCTAssertTrue(empty.messagesList.isEmpty, "\(backend): instruction delivered twice")

        // SuperNode: pulls every object, byte-exact, then confirms.
        for object in instruction.objects {
            let o = try await link.fleetPullObject(node, runID: runID, id: object.id)
            XCTAssertTrue(o.objectFound && o.objectAvailable, "\(backend): \(object.id)")
            XCTAssertEqual(o.objectContent, object.bytes)
        }
        try await link.confirm(node, runID: runID, messageID: instruction.id)
        let released = try await link.fleetPullObject(node, runID: runID, id: instruction.id)
        XCTAssertFalse(released.objectFound, "\(backend): the confirmed Message object is still stored")

        // SuperNode: the reply, then the objects the SuperLink asks for.
        let reply = FlowerObjects.reply(to: got, from: node.id, createdAt: link.clock.now)
        let pushedReply = try await link.pushReply(node, reply)
        XCTAssertEqual(pushedReply.results, [reply.id: 0], backend)
        XCTAssertEqual(pushedReply.reconnect?.reconnect, 5)
        XCTAssertFalse(pushedReply.objectsToPush.isEmpty)
        XCTAssertTrue(Set(pushedReply.objectsToPush).isSubset(of: Set(reply.objects.map(\.id))))
        for object in reply.objects where pushedReply.objectsToPush.contains(object.id) {
            let stored = try await link.fleetPushObject(node, runID: runID, id: object.id, content: object.bytes)
            XCTAssertTrue(stored, "\(backend): \(object.id)")
        }

        // ServerApp: gets the reply once; a second pull finds nothing.
        let replies = try await link.pullReplies(runID: runID, [instruction.id])
        XCTAssertEqual(replies.messagesList.count, 1, backend)
        XCTAssertEqual(replies.messagesList.first?.metadata?.messageID, reply.id)
        XCTAssertEqual(replies.messagesList.first?.metadata?.replyToMessageID, instruction.id)
        XCTAssertEqual(replies.messagesList.first?.metadata?.srcNodeID, node.id)
        XCTAssertEqual(replies.messageObjectTrees, [reply.tree])
        for object in reply.objects {
            let o = try await link.appIoPullObject(runID: runID, id: object.id)
            XCTAssertEqual(o.objectContent, object.bytes, "\(backend): \(object.id)")
        }
        var confirm = FlwrConfirmMessageReceivedRequest()
        confirm.runID = runID
        confirm.messageObjectID = reply.id
        _ = try await link.appIo(FlwrServerAppIo.confirmMessageReceived, confirm)
        let secondPull = try await link.pullReplies(runID: runID, [instruction.id])
        // The instruction is gone now: Flower answers with its MESSAGE_UNAVAILABLE reply, never the
        // real one again.
        XCTAssertEqual(secondPull.messagesList.count, 1, backend)
        XCTAssertEqual(secondPull.messagesList.first?.error?.code, 3, backend)
        XCTAssertNotEqual(secondPull.messagesList.first?.metadata?.messageID, reply.id)

        // ServerApp: outputs, logs, final status.
        var outputs = FlwrPushAppOutputsRequest()
        outputs.token = token
        outputs.runID = runID
        var ctx = inputs.context ?? FlwrContext()
        ctx.runConfig = ["done": lr]
        outputs.context = ctx
        _ = try await link.appIo(FlwrServerAppIo.pushAppOutputs, outputs)
        let stored = try await link.state.serverAppContext(runID: runID)
        XCTAssertEqual(stored, ctx.serializedBytes(), backend)
        // The token was spent.
        var beat = FlwrSendAppHeartbeatRequest()
        beat.token = token
        let alive = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
        XCTAssertFalse(alive.success, "\(backend): token still valid after PushAppOutputs")

        link.clock.advance(2)
        try await link.updateRunStatus(runID, "finished", "completed")
        let finished = try await link.listedRun(runID)
        XCTAssertEqual(finished.status?.status, "finished", backend)
        XCTAssertEqual(finished.status?.subStatus, "completed", backend)
        XCTAssertFalse(finished.finishedAt.isEmpty)
        XCTAssertGreaterThan(finished.bytesSent, 0, backend)
        XCTAssertGreaterThan(finished.bytesRecv, 0, backend)
        XCTAssertEqual(finished.clientappRuntime, 0.25, accuracy: 1e-9)
        // Sent covers at least the pulled objects; received at least the pushed ones.
        let pulledBytes = instruction.objects.reduce(0) { $0 + $1.bytes.count }
        XCTAssertGreaterThanOrEqual(Int(finished.bytesSent), pulledBytes, backend)
        let pushedBytes = reply.objects.filter { pushedReply.objectsToPush.contains($0.id) }.reduce(0) {
            $0 + $1.bytes.count
        }
        XCTAssertGreaterThanOrEqual(Int(finished.bytesRecv), pushedBytes, backend)
        let all = try await link.control(FlwrControl.listRuns, FlwrListRunsRequest())
        XCTAssertEqual(Array(all.runDict.keys), [runID])
        XCTAssertFalse(all.now.isEmpty)
    }
}

/// Objects bigger than gRPC's default 4 MiB message limit travel both ways (Flower allows 2 GiB).
final class LargeObjectTests: XCTestCase {
    func testFiveMiBChunkBothWays() async throws {
        try await withLink { link in
            let node = try await link.newNode()
            let (runID, _) = try await link.runningRun()
            let data = (0..<(5 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let chunk = FlowerObject(type: "ArrayChunk", children: [], body: data)
            let array = ObjectNode(
                object: FlowerObject(
                    type: "Array", children: [chunk.id],
                    body: Array(#"{"dtype": "uint8", "shape": [5242880], "stype": "raw", "arraychunk_ids": [0]}"#.utf8)),
                children: [ObjectNode(object: chunk, children: [])])
            let record = ObjectNode(
                object: FlowerObject(type: "ArrayRecord", children: [array.object.id], body: FlowerObjects.json([("big", array.object.id)])),
                children: [array])
            let content = FlowerObjects.recordDict([("arrays", record)])
            let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now, content: content)
            try await link.sendInstruction(instruction, runID: runID)
            let pulled = try await link.fleetPullObject(node, runID: runID, id: chunk.id)
            XCTAssertEqual(pulled.objectContent.count, chunk.bytes.count)
            XCTAssertEqual(pulled.objectContent, chunk.bytes)
        }
    }
}
