import FlowerProto
import LinkState
import ObjectStore
import RPC

/// Flower's Fleet API (protocol §4.1): what SuperNodes call. On grpc-rere every method is
/// node-authenticated (signed metadata); the GrpcAdapter and REST transports run the same handlers
/// with an unauthenticated `FleetCaller`, as Flower does (see `FleetCaller`).
public struct FleetServicer: Sendable {
    let context: ServiceContext
    let auth: NodeAuthentication

    public init(context: ServiceContext) {
        self.context = context
        self.auth = NodeAuthentication(context: context)
    }

    /// Registers all 12 Fleet RPCs on `server`.
    public func register(on server: RPCServer) {
        let r = ServiceRegistrar(server: server)
        // Node auth runs on the metadata before the body is decoded (Flower's interceptor order):
        // an unsigned call gets UNAUTHENTICATED whatever its bytes.
        let verify: @Sendable (ServerCallContext) throws(SuperLinkError) -> [UInt8] = { [auth] call throws(SuperLinkError) in
            try auth.verifiedPublicKey(call)
        }
        r.unary(FlwrFleet.registerNode, before: verify) { req, _, key throws(SuperLinkError) in try await registerNode(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.activateNode, before: verify) { req, _, key throws(SuperLinkError) in try await activateNode(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.deactivateNode, before: verify) { req, _, key throws(SuperLinkError) in try await deactivateNode(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.unregisterNode, before: verify) { req, _, key throws(SuperLinkError) in try await unregisterNode(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.sendNodeHeartbeat, before: verify) { req, _, key throws(SuperLinkError) in try await sendNodeHeartbeat(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.pullMessages, before: verify) { req, _, key throws(SuperLinkError) in try await pullMessages(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.pushMessages, before: verify) { req, _, key throws(SuperLinkError) in try await pushMessages(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.getRun, before: verify) { req, _, key throws(SuperLinkError) in try await getRun(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.getFab, before: verify) { req, _, key throws(SuperLinkError) in try await getFab(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.pushObject, before: verify) { req, _, key throws(SuperLinkError) in try await pushObject(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.pullObject, before: verify) { req, _, key throws(SuperLinkError) in try await pullObject(req, .signed(verifiedKey: key)) }
        r.unary(FlwrFleet.confirmMessageReceived, before: verify) { req, _, key throws(SuperLinkError) in
            try await confirmMessageReceived(req, .signed(verifiedKey: key))
        }
    }

    var state: any LinkState { context.state }

    // MARK: Node lifecycle

    func registerNode(_ req: FlwrRegisterNodeFleetRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrRegisterNodeFleetResponse
    {
        let signer = try auth.signingKey(of: caller)
        if context.options.enableSupernodeAuth { throw .supernodeAuthEnabledRegister }
        // A node registers the key it signs with: anything else would let one key enrol another.
        // Unsigned transports have no signer: the request's key is the node's (as in Flower).
        let key = try auth.enrolledKey(req.publicKey, signer: signer)
        let id = try await withState { () async throws(LinkStateError) in
            try await state.createNode(
                publicKey: key, ownerAid: NoOpAccount.flwrAid, ownerName: NoOpAccount.name, heartbeatInterval: 0)
        }
        var resp = FlwrRegisterNodeFleetResponse()
        resp.nodeID = id
        return resp
    }

    func activateNode(_ req: FlwrActivateNodeRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrActivateNodeResponse
    {
        let key = try auth.enrolledKey(req.publicKey, signer: try auth.signingKey(of: caller))
        guard HeartbeatBounds.range.contains(req.heartbeatInterval) else { throw .invalidHeartbeatInterval }
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.activateNode(publicKey: key, heartbeatInterval: req.heartbeatInterval)
        }
        switch outcome {
        case .activated(let id):
            var resp = FlwrActivateNodeResponse()
            resp.nodeID = id
            return resp
        case .unknownKey: throw .noNodeForPublicKey
        case .notActivatable(let id): throw .nodeNotActivatable(id)
        }
    }

    func deactivateNode(_ req: FlwrDeactivateNodeRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrDeactivateNodeResponse
    {
        let id = try await auth.node(of: caller, claimedNodeID: req.nodeID)
        let ok = try await withState { () async throws(LinkStateError) in try await state.deactivateNode(nodeID: id) }
        guard ok else { throw .nodeNotOnline(id) }
        return FlwrDeactivateNodeResponse()
    }

    func unregisterNode(_ req: FlwrUnregisterNodeFleetRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrUnregisterNodeFleetResponse
    {
        let id = try await auth.node(of: caller, claimedNodeID: req.nodeID)
        if context.options.enableSupernodeAuth { throw .supernodeAuthEnabledUnregister }
        let ok = try await withState { () async throws(LinkStateError) in
            try await state.unregisterNode(nodeID: id, ownerAid: NoOpAccount.flwrAid)
        }
        guard ok else { throw .nodeNotUnregisterable(id) }
        return FlwrUnregisterNodeFleetResponse()
    }

    func sendNodeHeartbeat(_ req: FlwrSendNodeHeartbeatRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrSendNodeHeartbeatResponse
    {
        let claimed = req.node?.nodeID ?? 0
        guard case .signed(let key) = caller else {
            // Unsigned transports: the named node's heartbeat; unknown or unregistered nodes get
            // success=false, as in Flower.
            guard HeartbeatBounds.range.contains(req.heartbeatInterval) else { throw .invalidHeartbeatInterval }
            var resp = FlwrSendNodeHeartbeatResponse()
            resp.success = try await withState { () async throws(LinkStateError) in
                try await state.acknowledgeNodeHeartbeat(nodeID: claimed, heartbeatInterval: req.heartbeatInterval)
            }
            return resp
        }
        guard HeartbeatBounds.range.contains(req.heartbeatInterval) else {
            // A bad node ID still wins over a bad interval, as in Flower's interceptor order.
            _ = try await auth.requireBinding(of: key, to: claimed)
            throw .invalidHeartbeatInterval
        }
        // The node-ID check and the heartbeat in one state call (one database trip; see
        // SQLiteLinkState+Fleet).
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.acknowledgeNodeHeartbeat(
                publicKey: key, claimedNodeID: claimed, heartbeatInterval: req.heartbeatInterval)
        }
        var resp = FlwrSendNodeHeartbeatResponse()
        switch outcome {
        case .notBound: throw .invalidNodeID
        case .acknowledged: resp.success = true
        case .notAcknowledged: resp.success = false
        }
        return resp
    }

    // MARK: Messages

    func pullMessages(_ req: FlwrPullMessagesRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrPullMessagesResponse
    {
        let claimedNodeID = req.node?.nodeID ?? 0
        let traffic: TrafficMeter<MessageWithTree> = { claimed in
            RunTraffic(
                bytesSent: UInt64(FleetResponses.pullMessages(claimed).serializedSize),
                bytesRecv: UInt64(req.serializedSize))
        }
        let outcome: BoundClaimOutcome
        switch caller {
        case .signed(let key):
            // The node-ID check, the claim and its traffic in one state call (an empty pull is one
            // read and measures nothing; see SQLiteLinkState+Fleet).
            outcome = try await withState { () async throws(LinkStateError) in
                try await state.claimInstruction(publicKey: key, claimedNodeID: claimedNodeID, traffic: traffic)
            }
        case .unauthenticated:
            // The named node's instruction; an unknown node simply has none (as in Flower).
            outcome = .claimed(try await withState { () async throws(LinkStateError) in
                try await state.claimInstruction(nodeID: claimedNodeID, traffic: traffic)
            })
        }
        guard case .claimed(let claimed) = outcome else { throw .invalidNodeID }
        guard let claimed else { return FlwrPullMessagesResponse() }
        return FleetResponses.pullMessages(claimed)
    }

    func pushMessages(_ req: FlwrPushMessagesRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrPushMessagesResponse
    {
        let id = try await auth.node(of: caller, claimedNodeID: req.node?.nodeID ?? 0)
        guard req.messagesList.count == 1 else {
            throw .malformedRequest("expected exactly one message, got \(req.messagesList.count)")
        }
        guard req.messageObjectTrees.count == 1 else {
            throw .malformedRequest("expected exactly one object tree, got \(req.messageObjectTrees.count)")
        }
        let message = req.messagesList[0]
        let problems = MessageValidation.problems(message, direction: .reply, now: context.clock())
        guard problems.isEmpty else { throw .malformedRequest(problems.joined(separator: ", ")) }
        let md = message.metadata ?? FlwrMetadata()
        // A node answers only for itself.
        guard md.srcNodeID == id else { throw .invalidNodeID }
        let tree = ObjectTree(req.messageObjectTrees[0])
        guard tree.objectID == md.messageID else {
            throw .malformedRequest("object tree root does not match the message ID")
        }
        let row = MessageRow(message)
        let messageID = md.messageID
        let runtime = req.clientappRuntimeList.first ?? 0
        let traffic: TrafficMeter<[String]> = { toPush in
            RunTraffic(
                bytesSent: UInt64(FleetResponses.pushMessages(messageID: messageID, objectsToPush: toPush).serializedSize),
                bytesRecv: UInt64(req.serializedSize), clientappRuntime: runtime.isFinite && runtime > 0 ? runtime : 0)
        }
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.storeReply(fromNode: id, MessageWithTree(message: row, tree: tree), traffic: traffic)
        }
        switch outcome {
        case .stored(let toPush):
            return FleetResponses.pushMessages(messageID: messageID, objectsToPush: toPush)
        case .refused(let gate):
            throw fleetGateError(gate, runID: md.runID)
        case .rejected(let reason):
            throw .malformedRequest(reason)
        }
    }

    // MARK: Run and FAB

    func getRun(_ req: FlwrGetRunRequest, _ caller: FleetCaller) async throws(SuperLinkError) -> FlwrGetRunResponse {
        _ = try await auth.node(of: caller, claimedNodeID: req.node?.nodeID ?? 0)
        let run = try await runningRun(req.runID)
        var resp = FlwrGetRunResponse()
        resp.run = run.wire
        return resp
    }

    func getFab(_ req: FlwrGetFabRequest, _ caller: FleetCaller) async throws(SuperLinkError) -> FlwrGetFabResponse {
        _ = try await auth.node(of: caller, claimedNodeID: req.node?.nodeID ?? 0)
        let run = try await runningRun(req.runID)
        // Only the run's own FAB is served: a node of one run cannot fetch another's app.
        guard req.hashStr == run.fabHash, let content = context.fabs.get(req.hashStr) else {
            throw .fabNotFound(req.hashStr)
        }
        var fab = FlwrFab()
        fab.hashStr = req.hashStr
        fab.content = content
        var resp = FlwrGetFabResponse()
        resp.fab = fab
        return resp
    }

    /// The run if it is running; Fleet's Flower errors otherwise.
    private func runningRun(_ runID: UInt64) async throws(SuperLinkError) -> RunRecord {
        guard let run = try await withState({ () async throws(LinkStateError) in try await state.run(runID) }) else {
            throw .runIDNotFoundForNode(runID)
        }
        guard run.phase == .running else {
            throw .notRunning(run)
        }
        return run
    }

    // MARK: Objects

    func pushObject(_ req: FlwrPushObjectRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrPushObjectResponse
    {
        _ = try await auth.node(of: caller, claimedNodeID: req.node?.nodeID ?? 0)
        let access = try await withState { () async throws(LinkStateError) in
            try await state.pushObject(
                runID: req.runID, objectID: req.objectID, content: req.objectContent,
                traffic: RunTraffic(bytesRecv: UInt64(req.objectContent.count)))
        }
        var resp = FlwrPushObjectResponse()
        switch access {
        case .refused(let gate): throw fleetGateError(gate, runID: req.runID)
        case .done(.invalidContent(let why)): throw .invalidObjectContent(objectID: req.objectID, reason: why)
        case .done(.stored), .done(.alreadyAvailable): resp.stored = true
        case .done(.notPreregistered), .done(.hashMismatch): resp.stored = false
        }
        return resp
    }

    func pullObject(_ req: FlwrPullObjectRequest, _ caller: FleetCaller) async throws(SuperLinkError)
        -> FlwrPullObjectResponse
    {
        _ = try await auth.node(of: caller, claimedNodeID: req.node?.nodeID ?? 0)
        let access = try await withState { () async throws(LinkStateError) in
            try await state.pullObject(runID: req.runID, objectID: req.objectID) { object in
                RunTraffic(bytesSent: UInt64(object.content.count))
            }
        }
        guard case .done(let object) = access else {
            if case .refused(let gate) = access { throw fleetGateError(gate, runID: req.runID) }
            throw .storage("unreachable")
        }
        var resp = FlwrPullObjectResponse()
        resp.objectFound = object.found
        resp.objectAvailable = object.available
        resp.objectContent = object.content
        return resp
    }

    func confirmMessageReceived(_ req: FlwrConfirmMessageReceivedRequest, _ caller: FleetCaller)
        async throws(SuperLinkError) -> FlwrConfirmMessageReceivedResponse
    {
        _ = try await auth.node(of: caller, claimedNodeID: req.node?.nodeID ?? 0)
        let access = try await withState { () async throws(LinkStateError) in
            try await state.confirmMessageReceived(runID: req.runID, messageObjectID: req.messageObjectID)
        }
        if case .refused(let gate) = access { throw fleetGateError(gate, runID: req.runID) }
        return FlwrConfirmMessageReceivedResponse()
    }
}

/// Fleet's answer for a run that is unknown or not running.
func fleetGateError(_ gate: RunGate, runID: UInt64) -> SuperLinkError {
    switch gate {
    case .unknownRun: return .runIDNotFoundForNode(runID)
    case .notRunning(let run): return .notRunning(run)
    }
}
