import FAB
import FlowerProto
import FlowerTime
import LinkState
import NodeCrypto
import RPC
import Synchronization

/// Flower's Control API (protocol §4.5): what the `flwr` CLI calls. Open-source semantics:
/// every caller is the NoOp account and the one federation is `@none/default`.
public final class ControlServicer: Sendable {
    let context: ServiceContext
    /// `ConfigureSimulationFederation` overrides, kept in memory as Flower does.
    private let simulationConfig: Mutex<FlwrSimulationConfig>
    /// Seconds between log polls of a `StreamLogs` call.
    let logPollInterval: Duration

    public init(context: ServiceContext, logPollInterval: Duration = .milliseconds(500)) {
        self.context = context
        self.simulationConfig = Mutex(SimulationConfigJSON.defaults)
        self.logPollInterval = logPollInterval
    }

    var state: any LinkState { context.state }

    /// Registers every Control RPC on `server`.
    public func register(on server: RPCServer) {
        let r = ServiceRegistrar(server: server)
        let c = FlwrControl.self
        r.unary(c.startRun) { req, _ throws(SuperLinkError) in try await self.startRun(req) }
        r.unary(c.stopRun) { req, _ throws(SuperLinkError) in try await self.stopRun(req) }
        r.serverStreaming(c.streamLogs) { req, call, send throws(SuperLinkError) in
            try await self.streamLogs(req, send: send)
        }
        r.unary(c.listRuns) { req, _ throws(SuperLinkError) in try await self.listRuns(req) }
        r.unary(c.getLoginDetails) { _, _ throws(SuperLinkError) in
            var resp = FlwrGetLoginDetailsResponse()
            resp.authnType = "noop"
            return resp
        }
        r.unary(c.getAuthTokens) { _, _ throws(SuperLinkError) -> FlwrGetAuthTokensResponse in
            throw .uncaughtInFlower("NoOp plugin does not support getting auth tokens.")
        }
        r.unary(c.pullArtifacts) { _, _ throws(SuperLinkError) -> FlwrPullArtifactsResponse in
            throw .noArtifactProvider
        }
        r.unary(c.registerNode) { req, _ throws(SuperLinkError) in try await self.registerNode(req) }
        r.unary(c.unregisterNode) { req, _ throws(SuperLinkError) in try await self.unregisterNode(req) }
        r.unary(c.listNodes) { _, _ throws(SuperLinkError) in try await self.listNodes() }
        r.unary(c.listFederations) { _, _ throws(SuperLinkError) in self.listFederations() }
        r.unary(c.showFederation) { req, _ throws(SuperLinkError) in try await self.showFederation(req) }
        r.unary(c.configureSimulationFederation) { req, _ throws(SuperLinkError) in
            try self.configureSimulationFederation(req)
        }
        func unsupported<Req, Resp>(_ m: ProtoMethod<Req, Resp>) {
            r.unary(m) { _, _ throws(SuperLinkError) -> Resp in throw .noFederationManagement }
        }
        // The NoOp federation manager's answers, as observed on flower-superlink 1.28: a request
        // naming no federation, or one that does not exist, is refused before "not supported".
        r.unary(c.createFederation) { req, _ throws(SuperLinkError) -> FlwrCreateFederationResponse in
            guard !req.federationName.isEmpty else { throw .federationNotSpecified }
            throw .noFederationManagement
        }
        r.unary(c.archiveFederation) { req, _ throws(SuperLinkError) -> FlwrArchiveFederationResponse in
            guard !req.federationName.isEmpty else { throw .federationNotSpecified }
            throw .noFederationManagement
        }
        r.unary(c.addNodeToFederation) { req, _ throws(SuperLinkError) -> FlwrAddNodeToFederationResponse in
            try await self.refuseNodeMembershipChange(federation: req.federationName, nodeID: req.nodeID)
        }
        r.unary(c.removeNodeFromFederation) { req, _ throws(SuperLinkError) -> FlwrRemoveNodeFromFederationResponse in
            try await self.refuseNodeMembershipChange(federation: req.federationName, nodeID: req.nodeID)
        }
        r.unary(c.createInvitation) { req, _ throws(SuperLinkError) -> FlwrCreateInvitationResponse in
            guard req.federationName == NoOpAccount.federation else { throw .federationNotFound }
            throw .noFederationManagement
        }
        r.unary(c.acceptInvitation) { req, _ throws(SuperLinkError) -> FlwrAcceptInvitationResponse in
            guard req.federationName == NoOpAccount.federation else { throw .federationNotFound }
            throw .noFederationManagement
        }
        unsupported(c.removeAccountFromFederation)
        unsupported(c.listInvitations)
        unsupported(c.rejectInvitation)
        unsupported(c.revokeInvitation)
        r.serverStreaming(c.streamRunEvents) { _, _, _ throws(SuperLinkError) in
            throw .uncaughtInFlower("StreamRunEvents is not implemented yet.")
        }
    }

    // MARK: Runs

    /// Flower's FAB size limit (`FAB_MAX_SIZE`).
    static let fabMaxSize = 10 * 1024 * 1024

    func startRun(_ req: FlwrStartRunRequest) async throws(SuperLinkError) -> FlwrStartRunResponse {
        if !req.appSpec.isEmpty { throw .hubAppUnsupported }
        let content = req.fab?.content ?? []
        // Flower answers an oversized FAB with an empty response; its CLI reports the failure.
        if content.count > Self.fabMaxSize { return FlwrStartRunResponse() }
        let federation = req.federation.isEmpty ? NoOpAccount.federation : req.federation
        guard federation == NoOpAccount.federation else { throw .federationNotFound }

        let fab: FAB
        do {
            fab = try FAB(content: content, maxSize: Self.fabMaxSize)
            // Sorted: the wire map has no order, and the first unknown key is the one reported.
            try fab.app.validateOverrideKeys(req.overrideConfig.keys.sorted())
        } catch {
            throw .invalidFAB(error)
        }

        let simulation = context.options.simulation
        var federationConfigJSON: String?
        if simulation {
            let base = simulationConfig.withLock { $0 }
            let resolved = SimulationConfigJSON.merge(base, req.overrideFederationConfig ?? FlwrSimulationConfig())
            federationConfigJSON = SimulationConfigJSON.encode(resolved)
        }
        let hash: String
        do {
            hash = try context.fabs.put(content)
        } catch {
            throw .storage(error.description)
        }
        let newRun = NewRun(
            fabID: fab.app.fabID, fabVersion: fab.app.version, fabHash: hash,
            overrideConfigJSON: UserConfigJSON.encode(req.overrideConfig),
            federation: federation, flwrAid: NoOpAccount.flwrAid,
            runType: simulation ? "simulation" : "serverapp", federationConfigJSON: federationConfigJSON)
        let runID = try await withState { () async throws(LinkStateError) in
            try await state.createRun(newRun) { runID in
                var ctx = FlwrContext()
                ctx.runID = runID
                ctx.nodeID = superLinkNodeID
                ctx.state = FlwrRecordDict()
                return ctx.serializedBytes()
            }
        }
        var resp = FlwrStartRunResponse()
        resp.runID = runID
        return resp
    }

    func stopRun(_ req: FlwrStopRunRequest) async throws(SuperLinkError) -> FlwrStopRunResponse {
        let outcome = try await withState { () async throws(LinkStateError) in
            try await state.stopRun(runID: req.runID, flwrAid: NoOpAccount.flwrAid)
        }
        switch outcome {
        case .stopped:
            var resp = FlwrStopRunResponse()
            resp.success = true
            return resp
        case .notFound: throw .runIDNotFound
        case .notOwner: throw .runNotOwned
        case .alreadyFinished: throw .runAlreadyFinishedStop(req.runID)
        }
    }

    func listRuns(_ req: FlwrListRunsRequest) async throws(SuperLinkError) -> FlwrListRunsResponse {
        // Finished runs' objects are released here too, as Flower does.
        _ = try await withState { () async throws(LinkStateError) in try await state.sweep() }
        var runs: [RunRecord]
        if let id = req.runID {
            guard let run = try await withState({ () async throws(LinkStateError) in try await state.run(id) }) else {
                throw .runIDNotFound
            }
            guard run.flwrAid == NoOpAccount.flwrAid else { throw .runNotOwned }
            runs = [run]
        } else {
            runs = try await withState { () async throws(LinkStateError) in
                try await state.runs(flwrAid: NoOpAccount.flwrAid)
            }
            if let limit = req.limit, limit < UInt64(runs.count) { runs = Array(runs.prefix(Int(limit))) }
        }
        var resp = FlwrListRunsResponse()
        for run in runs { resp.runDict[run.runID] = run.wire }
        resp.now = FlowerTimestamp.iso(context.clock())
        return resp
    }

    func streamLogs(_ req: FlwrStreamLogsRequest, send: @Sendable (FlwrStreamLogsResponse) async throws -> Void)
        async throws(SuperLinkError)
    {
        guard let run = try await withState({ () async throws(LinkStateError) in try await state.run(req.runID) }) else {
            throw .runIDNotFound
        }
        guard run.flwrAid == NoOpAccount.flwrAid else { throw .runNotOwned }
        var after = req.afterTimestamp + 1e-6
        while !Task.isCancelled {
            // Read the phase before the logs: every line written before the run finished is then
            // sent before the stream ends.
            let phase = try await withState { () async throws(LinkStateError) in try await state.run(req.runID) }?.phase
            guard let log = try await withState({ () async throws(LinkStateError) in
                try await state.serverAppLog(runID: req.runID, after: after)
            }) else { throw .runIDNotFound }
            if !log.text.isEmpty {
                var resp = FlwrStreamLogsResponse()
                resp.logOutput = log.text
                resp.latestTimestamp = log.latest
                do {
                    try await send(resp)
                } catch {
                    return  // the client went away
                }
                after = log.latest + 1e-6
            }
            if phase == .finished || phase == nil {
                _ = try await withState { () async throws(LinkStateError) in try await state.sweep() }
                return
            }
            do {
                try await Task.sleep(for: logPollInterval)
            } catch {
                return
            }
        }
    }

    // MARK: Nodes

    func registerNode(_ req: FlwrRegisterNodeRequest) async throws(SuperLinkError) -> FlwrRegisterNodeResponse {
        guard PublicKeyValidation.isValidNISTCurvePEM(req.publicKey) else { throw .invalidPublicKey }
        let id = try await withState { () async throws(LinkStateError) in
            try await state.createNode(
                publicKey: req.publicKey, ownerAid: NoOpAccount.flwrAid, ownerName: NoOpAccount.name,
                heartbeatInterval: 30)
        }
        var resp = FlwrRegisterNodeResponse()
        resp.nodeID = id
        return resp
    }

    func unregisterNode(_ req: FlwrUnregisterNodeRequest) async throws(SuperLinkError) -> FlwrUnregisterNodeResponse {
        let ok = try await withState { () async throws(LinkStateError) in
            try await state.unregisterNode(nodeID: req.nodeID, ownerAid: NoOpAccount.flwrAid)
        }
        guard ok else { throw .nodeIDNotFoundForAccount }
        return FlwrUnregisterNodeResponse()
    }

    func listNodes() async throws(SuperLinkError) -> FlwrListNodesResponse {
        let nodes = try await withState { () async throws(LinkStateError) in
            try await state.nodes(ownerAid: NoOpAccount.flwrAid)
        }
        var resp = FlwrListNodesResponse()
        resp.nodesInfo = nodes.map(\.wire)
        resp.now = FlowerTimestamp.iso(context.clock())
        return resp
    }

    // MARK: Federations (NoOp manager)

    /// Add/RemoveNodeToFederation: only the default federation exists, and its membership is
    /// not managed; an unknown or foreign node is refused first, as Flower does.
    private func refuseNodeMembershipChange(federation: String, nodeID: UInt64) async throws(SuperLinkError) -> Never {
        guard !federation.isEmpty else { throw .federationNotSpecified }
        guard federation == NoOpAccount.federation else { throw .federationDoesNotExist(federation) }
        let node = try await withState { () async throws(LinkStateError) in try await context.state.node(nodeID) }
        guard let node, node.ownerAid == NoOpAccount.flwrAid else { throw .nodeNotFoundOrNotOwned(nodeID) }
        throw .noFederationManagement
    }

    var defaultFederation: FlwrFederation {
        var f = FlwrFederation()
        f.name = NoOpAccount.federation
        f.description = NoOpAccount.federationDescription
        f.archived = false
        f.simulation = context.options.simulation
        return f
    }

    func listFederations() -> FlwrListFederationsResponse {
        var resp = FlwrListFederationsResponse()
        resp.federations = [defaultFederation]
        return resp
    }

    func showFederation(_ req: FlwrShowFederationRequest) async throws(SuperLinkError) -> FlwrShowFederationResponse {
        guard req.federationName == NoOpAccount.federation else {
            throw .uncaughtInFlower("Federation '\(req.federationName)' does not exist.")
        }
        var f = defaultFederation
        var account = FlwrAccount()
        account.id = NoOpAccount.flwrAid
        account.name = NoOpAccount.name
        var member = FlwrMember()
        member.account = account
        member.role = "owner"
        f.members = [member]
        f.nodes = try await withState { () async throws(LinkStateError) in
            try await state.nodes(ownerAid: NoOpAccount.flwrAid)
        }.map(\.wire)
        f.runs = try await withState { () async throws(LinkStateError) in
            try await state.runs(flwrAid: NoOpAccount.flwrAid)
        }.map(\.wire)
        if context.options.simulation { f.config = simulationConfig.withLock { $0 } }
        var resp = FlwrShowFederationResponse()
        resp.federation = f
        resp.now = FlowerTimestamp.iso(context.clock())
        return resp
    }

    func configureSimulationFederation(_ req: FlwrConfigureSimulationFederationRequest) throws(SuperLinkError)
        -> FlwrConfigureSimulationFederationResponse
    {
        guard context.options.simulation, req.federationName == NoOpAccount.federation else {
            throw .federationNotFound
        }
        let update = req.config ?? FlwrSimulationConfig()
        simulationConfig.withLock { $0 = SimulationConfigJSON.merge($0, update) }
        return FlwrConfigureSimulationFederationResponse()
    }
}
