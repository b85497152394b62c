import FlowerProto
import XCTest

/// The ServerApp/SuperExec side of a run, driven over Control and ServerAppIo like the real
/// processes do.
extension TestLink {
    /// Control `StartRun`; the new run is pending.
    func startRun(fab: [UInt8] = TestFAB.standard, overrides: [String: FlwrScalar] = [:]) async throws -> UInt64 {
        var req = FlwrStartRunRequest()
        var f = FlwrFab()
        f.content = fab
        req.fab = f
        req.overrideConfig = overrides
        let resp = try await control(FlwrControl.startRun, req)
        return try XCTUnwrap(resp.runID, "StartRun returned no run_id")
    }

    func requestToken(_ runID: UInt64) async throws -> String {
        var req = FlwrRequestTokenRequest()
        req.runID = runID
        return try await appIo(FlwrServerAppIo.requestToken, req).token
    }

    func pullAppInputs(token: String) async throws -> FlwrPullAppInputsResponse {
        var req = FlwrPullAppInputsRequest()
        req.token = token
        return try await appIo(FlwrServerAppIo.pullAppInputs, req)
    }

    /// StartRun → RequestToken → PullAppInputs: a running run and its app token.
    func runningRun() async throws -> (runID: UInt64, token: String) {
        let runID = try await startRun()
        let token = try await requestToken(runID)
        XCTAssertFalse(token.isEmpty)
        _ = try await pullAppInputs(token: token)
        return (runID, token)
    }

    /// The run as Control `ListRuns` shows it.
    func listedRun(_ runID: UInt64) async throws -> FlwrRun {
        var req = FlwrListRunsRequest()
        req.runID = runID
        let resp = try await control(FlwrControl.listRuns, req)
        return try XCTUnwrap(resp.runDict[runID])
    }

    func updateRunStatus(_ runID: UInt64, _ status: String, _ subStatus: String = "", details: String = "")
        async throws
    {
        var req = FlwrUpdateRunStatusRequest()
        req.runID = runID
        var s = FlwrRunStatus()
        s.status = status
        s.subStatus = subStatus
        s.details = details
        req.runStatus = s
        _ = try await appIo(FlwrServerAppIo.updateRunStatus, req)
    }

    func stopRun(_ runID: UInt64) async throws -> Bool {
        var req = FlwrStopRunRequest()
        req.runID = runID
        return try await control(FlwrControl.stopRun, req).success
    }

    // MARK: Messages and objects (ServerApp side)

    func pushInstructions(_ messages: [OutgoingMessage], runID: UInt64) async throws -> FlwrPushAppMessagesResponse {
        var req = FlwrPushAppMessagesRequest()
        req.runID = runID
        req.messagesList = messages.map(\.message)
        req.messageObjectTrees = messages.map(\.tree)
        return try await appIo(FlwrServerAppIo.pushMessages, req)
    }

    func appIoPushObject(runID: UInt64, _ object: FlowerObject, nodeID: UInt64 = 1) async throws -> Bool {
        try await appIoPushObject(runID: runID, id: object.id, content: object.bytes, nodeID: nodeID)
    }

    func appIoPushObject(runID: UInt64, id: String, content: [UInt8], nodeID: UInt64 = 1) async throws -> Bool {
        var req = FlwrPushObjectRequest()
        var n = FlwrNode()
        n.nodeID = nodeID
        req.node = n
        req.runID = runID
        req.objectID = id
        req.objectContent = content
        return try await appIo(FlwrServerAppIo.pushObject, req).stored
    }

    func appIoPullObject(runID: UInt64, id: String, nodeID: UInt64 = 1) async throws -> FlwrPullObjectResponse {
        var req = FlwrPullObjectRequest()
        var n = FlwrNode()
        n.nodeID = nodeID
        req.node = n
        req.runID = runID
        req.objectID = id
        return try await appIo(FlwrServerAppIo.pullObject, req)
    }

    func pullReplies(runID: UInt64, _ ids: [String]) async throws -> FlwrPullAppMessagesResponse {
        var req = FlwrPullAppMessagesRequest()
        req.runID = runID
        req.messageIDs = ids
        return try await appIo(FlwrServerAppIo.pullMessages, req)
    }

    /// PushMessages, then every requested object, as the ServerApp's grid does. Returns the IDs.
    @discardableResult
    func sendInstruction(_ message: OutgoingMessage, runID: UInt64) async throws -> String {
        let resp = try await pushInstructions([message], runID: runID)
        XCTAssertEqual(resp.messageIDs, [message.id])
        let byID = Dictionary(message.objects.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for id in resp.objectsToPush {
            let object = try XCTUnwrap(byID[id], "asked to push unknown object \(id)")
            let stored = try await appIoPushObject(runID: runID, object)
            XCTAssertTrue(stored)
        }
        return message.id
    }

    // MARK: Fleet (SuperNode side)

    func pullInstruction(_ node: TestNode) async throws -> FlwrPullMessagesResponse {
        var req = FlwrPullMessagesRequest()
        req.node = node.node
        return try await fleet(node, FlwrFleet.pullMessages, req)
    }

    func fleetPullObject(_ node: TestNode, runID: UInt64, id: String) async throws -> FlwrPullObjectResponse {
        var req = FlwrPullObjectRequest()
        req.node = node.node
        req.runID = runID
        req.objectID = id
        return try await fleet(node, FlwrFleet.pullObject, req)
    }

    func fleetPushObject(_ node: TestNode, runID: UInt64, id: String, content: [UInt8]) async throws -> Bool {
        var req = FlwrPushObjectRequest()
        req.node = node.node
        req.runID = runID
        req.objectID = id
        req.objectContent = content
        return try await fleet(node, FlwrFleet.pushObject, req).stored
    }

    func confirm(_ node: TestNode, runID: UInt64, messageID: String) async throws {
        var req = FlwrConfirmMessageReceivedRequest()
        req.node = node.node
        req.runID = runID
        req.messageObjectID = messageID
        _ = try await fleet(node, FlwrFleet.confirmMessageReceived, req)
    }

    func pushReply(_ node: TestNode, _ reply: OutgoingMessage, runtime: Double = 0.25) async throws
        -> FlwrPushMessagesResponse
    {
        var req = FlwrPushMessagesRequest()
        req.node = node.node
        req.messagesList = [reply.message]
        req.messageObjectTrees = [reply.tree]
        req.clientappRuntimeList = [runtime]
        return try await fleet(node, FlwrFleet.pushMessages, req)
    }
}
