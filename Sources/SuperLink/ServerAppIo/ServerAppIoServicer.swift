import FlowerProto
import LinkState
import ObjectStore
import RPC

/// Flower's ServerAppIo API (protocol §4.2): what the SuperExec and the ServerApp (or
/// simulation) process call. Plain-text, loopback in practice; app tokens travel in the body.
public struct ServerAppIoServicer: Sendable {
    let context: ServiceContext

    public init(context: ServiceContext) {
        self.context = context
    }

    var state: any LinkState { context.state }

    /// Registers every ServerAppIo RPC on `server`.
    public func register(on server: RPCServer) {
        let r = ServiceRegistrar(server: server)
        let s = FlwrServerAppIo.self
        r.unary(s.listAppsToLaunch) { req, call throws(SuperLinkError) in try await listAppsToLaunch(req) }
        r.unary(s.requestToken) { req, call throws(SuperLinkError) in try await requestToken(req) }
        r.unary(s.getRun) { req, call throws(SuperLinkError) in try await getRun(req) }
        r.unary(s.sendAppHeartbeat) { req, call throws(SuperLinkError) in try await sendAppHeartbeat(req) }
        r.unary(s.pullAppInputs) { req, call throws(SuperLinkError) in try await pullAppInputs(req) }
        r.unary(s.pushAppOutputs) { req, call throws(SuperLinkError) in try await pushAppOutputs(req) }
        r.unary(s.pushObject) { req, call throws(SuperLinkError) in try await pushObject(req) }
        r.unary(s.pullObject) { req, call throws(SuperLinkError) in try await pullObject(req) }
        r.unary(s.confirmMessageReceived) { req, call throws(SuperLinkError) in try await confirmMessageReceived(req) }
        r.unary(s.updateRunStatus) { req, call throws(SuperLinkError) in try await updateRunStatus(req) }
        r.unary(s.pushLogs) { req, call throws(SuperLinkError) in try await pushLogs(req) }
        r.unary(s.getFederationOptions) { _, _ throws(SuperLinkError) -> FlwrGetFederationOptionsResponse in
            throw .uncaughtInFlower("To be removed")
        }
        r.unary(s.pushMessages) { req, call throws(SuperLinkError) in try await pushMessages(req) }
        r.unary(s.pullMessages) { req, call throws(SuperLinkError) in try await pullMessages(req) }
        r.unary(s.getNodes) { req, call throws(SuperLinkError) in try await getNodes(req) }
    }

    // MARK: Launching apps

    func listAppsToLaunch(_ req: FlwrListAppsToLaunchRequest) async throws(SuperLinkError) -> FlwrListAppsToLaunchResponse {
        var resp = FlwrListAppsToLaunchResponse()
        resp.runIDs = try await withState { () async throws(LinkStateError) in try await state.pendingRunIDs() }
        return resp
    }

    func requestToken(_ req: FlwrRequestTokenRequest) async throws(SuperLinkError) -> FlwrRequestTokenResponse {
        var resp = FlwrRequestTokenResponse()
        resp.token = try await withState { () async throws(LinkStateError) in
            try await state.requestToken(runID: req.runID)
        } ?? ""
        return resp
    }

    func getRun(_ req: FlwrGetRunRequest) async throws(SuperLinkError) -> FlwrGetRunResponse {
        var resp = FlwrGetRunResponse()
        // Flower answers an unknown run with an empty response, and the SuperExec relies on it.
        resp.run = try await withState { () async throws(LinkStateError) in try await state.run(req.runID) }?.wire
        return resp
    }

    func sendAppHeartbeat(_ req: FlwrSendAppHeartbeatRequest) async throws(SuperLinkError) -> FlwrSendAppHeartbeatResponse {
        var resp = FlwrSendAppHeartbeatResponse()
        resp.success = try await withState { () async throws(LinkStateError) in
            try await state.acknowledgeAppHeartbeat(token: req.token)
        }
        return resp
    }

    func pullAppInputs(_ req: FlwrPullAppInputsRequest) async throws(SuperLinkError) -> FlwrPullAppInputsResponse {
        // As in Flower, a run whose FAB is missing does not start: the check is made in the
        // transaction, before the transition, and nothing changes (the run stays starting until its
        // token expires).
        let fabs = context.fabs
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.startApp(token: req.token) { run in fabs.contains(run.fabHash) }
        }
        switch outcome {
        case .invalidToken: throw .invalidToken
        case .failed(let runID): throw .failedToStartRun(runID)
        case .started(let run, let contextBytes):
            // Only a FAB deleted from the storage directory since the check, or a context that is not
            // a `Context` (this SuperLink wrote it), can fail here; the run then ends by token expiry.
            guard let fabContent = context.fabs.get(run.fabHash),
                  let appContext = try? FlwrContext(serializedBytes: contextBytes)
            else { throw .failedToStartRun(run.runID) }
            var fab = FlwrFab()
            fab.hashStr = run.fabHash
            fab.content = fabContent
            var resp = FlwrPullAppInputsResponse()
            resp.context = appContext
            resp.run = run.wire
            resp.fab = fab
            if let json = run.federationConfigJSON, let config = SimulationConfigJSON.decode(json) {
                resp.federationConfig = config
            }
            return resp
        }
    }

    func pushAppOutputs(_ req: FlwrPushAppOutputsRequest) async throws(SuperLinkError) -> FlwrPushAppOutputsResponse {
        let bytes = (req.context ?? FlwrContext()).serializedBytes()
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.finishApp(token: req.token, runID: req.runID, context: bytes)
        }
        switch outcome {
        case .stored: return FlwrPushAppOutputsResponse()
        case .invalidToken: throw .invalidToken
        case .runNotRunning(let run):
            throw .notRunning(run)
        }
    }

    // MARK: Status and logs

    func updateRunStatus(_ req: FlwrUpdateRunStatusRequest) async throws(SuperLinkError) -> FlwrUpdateRunStatusResponse {
        let status = req.runStatus ?? FlwrRunStatus()
        guard let phase = RunPhase(rawValue: status.status) else {
            // No transition leads to an unknown status: Flower ignores it like any invalid one,
            // after the same unknown-run and finished-run answers.
            let run = try await withState { () async throws(LinkStateError) in try await state.run(req.runID) }
            guard let run else { throw .unknownRun(req.runID) }
            if run.phase == .finished {
                throw .notRunning(run)
            }
            return FlwrUpdateRunStatusResponse()
        }
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.updateRunStatus(
                runID: req.runID, phase: phase, subStatus: status.subStatus, details: status.details)
        }
        switch outcome {
        case .updated, .invalidTransition: return FlwrUpdateRunStatusResponse()
        case .alreadyFinished:
            // "Run is finished." — plus " Stopped by user." for a stopped run, as Flower says.
            let run = try await withState { () async throws(LinkStateError) in try await state.run(req.runID) }
            throw .runNotRunning(phase: RunPhase.finished.rawValue, stoppedByUser: run?.subStatus == "stopped")
        case .unknownRun: throw .unknownRun(req.runID)
        }
    }

    func pushLogs(_ req: FlwrPushLogsRequest) async throws(SuperLinkError) -> FlwrPushLogsResponse {
        let text = req.logs.joined()
        let ok = try await withState { () async throws(LinkStateError) in
            try await state.appendServerAppLog(runID: req.runID, text: text)
        }
        guard ok else { throw .runNotFoundForLogs(req.runID) }
        return FlwrPushLogsResponse()
    }

    // MARK: Messages

    func pushMessages(_ req: FlwrPushAppMessagesRequest) async throws(SuperLinkError) -> FlwrPushAppMessagesResponse {
        try await requireRunning(req.runID)
        guard !req.messagesList.isEmpty else { throw .malformedPushMessages("`messages_list` must not be empty") }
        guard req.messagesList.count == req.messageObjectTrees.count else {
            throw .malformedPushMessages(
                "\(req.messagesList.count) messages but \(req.messageObjectTrees.count) object trees")
        }
        // The whole batch is checked before anything is stored: a rejected batch stores nothing.
        let now = context.clock()
        var batch: [MessageWithTree] = []
        for (message, wireTree) in zip(req.messagesList, req.messageObjectTrees) {
            var problems = MessageValidation.problems(message, direction: .instruction, now: now)
            let md = message.metadata ?? FlwrMetadata()
            if md.runID != req.runID { problems.append("`metadata.run_id` \(md.runID) does not match run \(req.runID)") }
            if wireTree.objectID != md.messageID { problems.append("object tree root does not match the message ID") }
            guard problems.isEmpty else {
                throw .malformedPushMessages(problems.joined(separator: ", "))
            }
            batch.append(MessageWithTree(message: MessageRow(message), tree: ObjectTree(wireTree)))
        }
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.storeInstructions(runID: req.runID, batch)
        }
        switch outcome {
        case .stored(let ids, let toPush):
            var resp = FlwrPushAppMessagesResponse()
            resp.messageIDs = ids
            resp.objectsToPush = toPush
            return resp
        case .refused(let gate):
            throw appIoGateError(gate, runID: req.runID)
        }
    }

    func pullMessages(_ req: FlwrPullAppMessagesRequest) async throws(SuperLinkError) -> FlwrPullAppMessagesResponse {
        try await requireRunning(req.runID)
        let outcomes = try await withState { () async throws(LinkStateError) in
            try await state.takeReplies(runID: req.runID, instructionIDs: req.messageIDs)
        }
        let now = context.clock()
        var resp = FlwrPullAppMessagesResponse()
        for outcome in outcomes {
            let synthetic: SyntheticReplies.Reply
            switch outcome {
            case .reply(let reply):
                resp.messagesList.append(reply.message.wire)
                resp.messageObjectTrees.append(reply.tree.wire)
                continue
            case .messageUnavailable(let id):
                synthetic = SyntheticReplies.messageUnavailable(instructionID: id, now: now)
            case .nodeUnavailable(let ins):
                synthetic = SyntheticReplies.nodeUnavailable(instruction: ins, now: now)
            case .replyExpired(let ins):
                synthetic = SyntheticReplies.replyExpired(instruction: ins, now: now)
            }
            // Store the synthetic reply's object so the ServerApp pulls it like any other.
            let tree = ObjectTree(objectID: synthetic.objectID)
            let objects = state.objects
            do {
                _ = try await objects.preregister(runID: req.runID, tree: tree)
                _ = try await objects.put(objectID: synthetic.objectID, content: synthetic.objectBytes)
            } catch {
                throw .storage(error.description)
            }
            resp.messagesList.append(synthetic.message)
            resp.messageObjectTrees.append(tree.wire)
        }
        return resp
    }

    func getNodes(_ req: FlwrGetNodesRequest) async throws(SuperLinkError) -> FlwrGetNodesResponse {
        try await requireRunning(req.runID)
        let ids = try await withState { () async throws(LinkStateError) in try await state.onlineNodeIDs(runID: req.runID) }
        guard let ids else { throw .unknownRun(req.runID) }
        var resp = FlwrGetNodesResponse()
        resp.nodes = ids.map { id in
            var n = FlwrNode()
            n.nodeID = id
            return n
        }
        return resp
    }

    // MARK: Objects

    func pushObject(_ req: FlwrPushObjectRequest) async throws(SuperLinkError) -> FlwrPushObjectResponse {
        try await requireSuperLinkNode(req.node, runID: req.runID)
        let access = try await withState { () async throws(LinkStateError) in
            try await state.pushObject(runID: req.runID, objectID: req.objectID, content: req.objectContent)
        }
        var resp = FlwrPushObjectResponse()
        switch access {
        case .refused(let gate): throw appIoGateError(gate, runID: req.runID)
        case .done(.invalidContent(let why)): throw .invalidObjectContent(objectID: req.objectID, reason: why)
        case .done(.stored), .done(.alreadyAvailable): resp.stored = true
        case .done(.notPreregistered), .done(.hashMismatch): resp.stored = false
        }
        return resp
    }

    func pullObject(_ req: FlwrPullObjectRequest) async throws(SuperLinkError) -> FlwrPullObjectResponse {
        try await requireSuperLinkNode(req.node, runID: req.runID)
        let access = try await withState { () async throws(LinkStateError) in
            try await state.pullObject(runID: req.runID, objectID: req.objectID)
        }
        switch access {
        case .refused(let gate): throw appIoGateError(gate, runID: req.runID)
        case .done(let object):
            var resp = FlwrPullObjectResponse()
            resp.objectFound = object.found
            resp.objectAvailable = object.available
            resp.objectContent = object.content
            return resp
        }
    }

    func confirmMessageReceived(_ req: FlwrConfirmMessageReceivedRequest) async throws(SuperLinkError)
        -> FlwrConfirmMessageReceivedResponse
    {
        let access = try await withState { () async throws(LinkStateError) in
            try await state.confirmMessageReceived(runID: req.runID, messageObjectID: req.messageObjectID)
        }
        if case .refused(let gate) = access { throw appIoGateError(gate, runID: req.runID) }
        return FlwrConfirmMessageReceivedResponse()
    }

    /// Object RPCs must name the SuperLink's own node. Flower checks the run first, so a wrong node
    /// on a run that is not running still hears "Run is …"; the happy path costs no extra read.
    private func requireSuperLinkNode(_ node: FlwrNode?, runID: UInt64) async throws(SuperLinkError) {
        guard node?.nodeID != superLinkNodeID else { return }
        try await requireRunning(runID)
        throw .unexpectedNodeID
    }

    /// ServerAppIo's gate: the run must exist and be running.
    private func requireRunning(_ runID: UInt64) async throws(SuperLinkError) {
        guard let run = try await withState({ () async throws(LinkStateError) in try await state.run(runID) }) else {
            throw .unknownRun(runID)
        }
        guard run.phase == .running else {
            throw .notRunning(run)
        }
    }
}

/// ServerAppIo's answer for a run that is unknown or not running.
func appIoGateError(_ gate: RunGate, runID: UInt64) -> SuperLinkError {
    switch gate {
    case .unknownRun: return .unknownRun(runID)
    case .notRunning(let run): return .notRunning(run)
    }
}
