import FlowerProto
import LinkState
import XCTest

/// Each Fleet call's traffic lands in the run's counters through the one state call that does the
/// call's work (besides the node-ID lookup of authentication), and the counters are exact: bytes of
/// the request and response, or of the object.
final class FleetTrafficTests: XCTestCase {
    func testFleetCallsCountTrafficInTheirOwnStateCall() async throws {
        try await forEachBackend { link in
            let backend = link.backend.rawValue
            let node = try await link.newNode()
            let (runID, _) = try await link.runningRun()
            let instruction = FlowerObjects.instruction(runID: runID, dst: node.id, createdAt: link.clock.now)
            try await link.sendInstruction(instruction, runID: runID)
            var expected = RunTraffic()
            func check(_ step: String, calls: [String: Int], since before: [String: Int]) async throws {
                let found = try await link.state.base.run(runID)
                let run = try XCTUnwrap(found)
                XCTAssertEqual(
                    RunTraffic(bytesSent: run.bytesSent, bytesRecv: run.bytesRecv, clientappRuntime: run.clientappRuntime),
                    expected, "\(backend): \(step)")
                var made = link.state.callCounts()
                for (name, count) in before { made[name, default: 0] -= count }
                XCTAssertEqual(made.filter { $0.key != "nodeID" && $0.value != 0 }, calls, "\(backend): \(step)")
            }

            var before = link.state.callCounts()
            var pull = FlwrPullMessagesRequest()
            pull.node = node.node
            let pulled = try await link.fleet(node, FlwrFleet.pullMessages, pull)
            XCTAssertEqual(pulled.messagesList.count, 1, backend)
            expected.bytesSent += UInt64(pulled.serializedSize)
            expected.bytesRecv += UInt64(pull.serializedSize)
            try await check("PullMessages", calls: ["claimInstruction": 1], since: before)

            before = link.state.callCounts()
            let object = instruction.objects[0]
            let o = try await link.fleetPullObject(node, runID: runID, id: object.id)
            XCTAssertEqual(o.objectContent, object.bytes, backend)
            expected.bytesSent += UInt64(object.bytes.count)
            try await check("PullObject", calls: ["pullObject": 1], since: before)

            before = link.state.callCounts()
            let reply = FlowerObjects.reply(to: pulled.messagesList[0], from: node.id, createdAt: link.clock.now)
            var push = FlwrPushMessagesRequest()
            push.node = node.node
            push.messagesList = [reply.message]
            push.messageObjectTrees = [reply.tree]
            push.clientappRuntimeList = [0.5]
            let pushed = try await link.fleet(node, FlwrFleet.pushMessages, push)
            expected.bytesSent += UInt64(pushed.serializedSize)
            expected.bytesRecv += UInt64(push.serializedSize)
            expected.clientappRuntime += 0.5
            try await check("PushMessages", calls: ["storeReply": 1], since: before)

            let byID = Dictionary(reply.objects.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for id in pushed.objectsToPush {
                before = link.state.callCounts()
                let content = try XCTUnwrap(byID[id]).bytes
                let stored = try await link.fleetPushObject(node, runID: runID, id: id, content: content)
                XCTAssertTrue(stored, backend)
                expected.bytesRecv += UInt64(content.count)
                try await check("PushObject", calls: ["pushObject": 1], since: before)
            }
        }
    }
}
