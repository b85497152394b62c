import FlowerProto
import LinkState
import NodeCrypto
import XCTest

/// The error replies the SuperLink answers on a node's behalf (protocol §2.5): real Flower Message
/// objects the ServerApp pulls like any reply.
final class SyntheticReplyTests: XCTestCase {
    /// Pulls the reply's one object and checks it is a childless Message whose ID is its sha256 and
    /// whose body is the reply (with `message_id` blank, as Flower deflates it).
    private func assertPullableObject(
        _ link: TestLink, runID: UInt64, reply: FlwrMessage, tree: FlwrObjectTree,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let id = try XCTUnwrap(reply.metadata?.messageID, file: file, line: line)
        XCTAssertEqual(tree.objectID, id, file: file, line: line)
        XCTAssertTrue(tree.children.isEmpty, file: file, line: line)
        let pulled = try await link.appIoPullObject(runID: runID, id: id)
        XCTAssertTrue(pulled.objectFound && pulled.objectAvailable, file: file, line: line)
        XCTAssertEqual(Digest.sha256Hex(pulled.objectContent), id, file: file, line: line)
        let nul = try XCTUnwrap(pulled.objectContent.firstIndex(of: 0), file: file, line: line)
        let head = String(decoding: pulled.objectContent[..<nul], as: UTF8.self)
        let body = Array(pulled.objectContent[(nul + 1)...])
        XCTAssertEqual(head, "Message  \(body.count)", file: file, line: line)
        var expected = reply
        expected.metadata?.messageID = ""
        XCTAssertEqual(try FlwrMessage(serializedBytes: body), expected, file: file, line: line)
        // And it can be confirmed like any other.
        var confirm = FlwrConfirmMessageReceivedRequest()
        confirm.runID = runID
        confirm.messageObjectID = id
        _ = try await link.appIo(FlwrServerAppIo.confirmMessageReceived, confirm)
    }

    func testNodeThatWentOfflineGetsNodeUnavailable() async throws {
        try await forEachBackend { link in
            let node = try await link.newNode(activate: 30)  // online until now + 60
            let (runID, token) = try await link.runningRun()
            let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now, ttl: 600)
            try await link.sendInstruction(instruction, runID: runID)
            _ = try await link.pullInstruction(node)

            // Still online: nothing yet.
            let waiting = try await link.pullReplies(runID: runID, [instruction.id])
            XCTAssertTrue(waiting.messagesList.isEmpty, link.backend.rawValue)

            // The node stops heartbeating; the ServerApp keeps its own token alive.
            var beat = FlwrSendAppHeartbeatRequest()
            beat.token = token
            link.clock.advance(20)  // a fresh token lives 30 s, a heartbeat extends it to 60 s
            _ = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            link.clock.advance(41)
            let alive = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            XCTAssertTrue(alive.success)

            let replies = try await link.pullReplies(runID: runID, [instruction.id])
            XCTAssertEqual(replies.messagesList.count, 1, link.backend.rawValue)
            let reply = try XCTUnwrap(replies.messagesList.first)
            let md = try XCTUnwrap(reply.metadata)
            XCTAssertEqual(reply.error?.code, 5)
            XCTAssertEqual(
                reply.error?.reason,
                "Error: Node Unavailable — The destination node failed to report a heartbeat within 2 × its expected interval.")
            XCTAssertNil(reply.content)
            XCTAssertEqual(md.runID, runID)
            XCTAssertEqual(md.srcNodeID, 1)
            XCTAssertEqual(md.dstNodeID, 1)
            XCTAssertEqual(md.replyToMessageID, instruction.id)
            XCTAssertEqual(md.groupID, "1")
            XCTAssertEqual(md.messageType, "train")
            XCTAssertEqual(md.ttl, 600 - 61, accuracy: 0.01)
            XCTAssertEqual(md.createdAt, link.clock.now, accuracy: 0.01)
            try await assertPullableObject(link, runID: runID, reply: reply, tree: try XCTUnwrap(replies.messageObjectTrees.first))

            // Handed out once: the instruction is gone now.
            let again = try await link.pullReplies(runID: runID, [instruction.id])
            XCTAssertEqual(again.messagesList.first?.error?.code, 3)
        }
    }

    func testUnknownMessageIDGetsMessageUnavailable() async throws {
        try await forEachBackend { link in
            let (runID, _) = try await link.runningRun()
            let unknown = String(repeating: "d", count: 64)
            let replies = try await link.pullReplies(runID: runID, [unknown])
            let reply = try XCTUnwrap(replies.messagesList.first)
            XCTAssertEqual(replies.messagesList.count, 1)
            let md = try XCTUnwrap(reply.metadata)
            XCTAssertEqual(reply.error?.code, 3)
            XCTAssertEqual(
                reply.error?.reason,
                "Error: Message Unavailable - The requested message could not be found in the database. It may have expired due to its TTL, been deleted because the destination SuperNode was removed from the federation, or never existed.")
            XCTAssertEqual(md.runID, 0)
            XCTAssertEqual(md.srcNodeID, 1)
            XCTAssertEqual(md.dstNodeID, 1)
            XCTAssertEqual(md.replyToMessageID, unknown)
            XCTAssertEqual(md.groupID, "")
            XCTAssertEqual(md.messageType, "system")
            XCTAssertEqual(md.ttl, 0)
            try await assertPullableObject(link, runID: runID, reply: reply, tree: try XCTUnwrap(replies.messageObjectTrees.first))
        }
    }

    func testExpiredInstructionGetsMessageUnavailable() async throws {
        try await withLink { link in
            let node = try await link.newNode(activate: 1800)
            let (runID, token) = try await link.runningRun()
            let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now, ttl: 20)
            try await link.sendInstruction(instruction, runID: runID)
            link.clock.advance(21)
            var beat = FlwrSendAppHeartbeatRequest()
            beat.token = token
            _ = try await link.appIo(FlwrServerAppIo.sendAppHeartbeat, beat)
            // The node no longer gets it, and the ServerApp hears it is unavailable.
            let pulled = try await link.pullInstruction(node)
            XCTAssertTrue(pulled.messagesList.isEmpty)
            let replies = try await link.pullReplies(runID: runID, [instruction.id])
            XCTAssertEqual(replies.messagesList.first?.error?.code, 3)
        }
    }
}
