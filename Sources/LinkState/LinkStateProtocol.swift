import ObjectStore

/// The SuperLink's state: nodes, runs, app tokens, logs and messages (protocol §2), with the
/// object store (§3) reachable through `objects`.
///
/// Every method is one atomic state change or read: a single conditional statement or one
/// transaction, with timestamps taken inside it. Lazy sweeps happen inside the same transaction:
/// expired app tokens fail their run ("No heartbeat received from the run.", `finished_at` =
/// the token's `active_until`) and nodes past `online_until` go offline.
///
/// ```swift
/// let state: any LinkState = try SQLiteLinkState(path: "state.db")
/// let runID = try await state.createRun(newRun, context: contextBytes)
/// let token = try await state.requestToken(runID: runID)   // pending → starting
/// ```
public protocol LinkState: Sendable {
    /// The object store sharing this state's storage (the same SQLite file).
    var objects: any ObjectStore { get }

    // MARK: Nodes

    /// Inserts a `registered` node with a fresh random ID (never 0 or 1).
    /// Throws `.publicKeyInUse` if the key is taken.
    func createNode(publicKey: [UInt8], ownerAid: String, ownerName: String, heartbeatInterval: Double)
        async throws(LinkStateError) -> UInt64
    /// Activates the node owning `publicKey` if it is `registered` or `offline`:
    /// `online_until = now + 2 × interval`.
    func activateNode(publicKey: [UInt8], heartbeatInterval: Double) async throws(LinkStateError)
        -> ActivateNodeOutcome
    /// `online` → `offline` (`online_until = now`). False if the node was not online.
    func deactivateNode(nodeID: UInt64) async throws(LinkStateError) -> Bool
    /// Marks the node `unregistered` if it is not already and `ownerAid` owns it.
    func unregisterNode(nodeID: UInt64, ownerAid: String) async throws(LinkStateError) -> Bool
    /// Extends `online_until = now + 2 × interval` (reviving an offline node). False if the node is
    /// unknown or unregistered.
    func acknowledgeNodeHeartbeat(nodeID: UInt64, heartbeatInterval: Double) async throws(LinkStateError) -> Bool
    /// The node ID bound to this exact PEM, unless unknown or unregistered.
    func nodeID(forPublicKey publicKey: [UInt8]) async throws(LinkStateError) -> UInt64?
    /// Fleet `SendNodeHeartbeat` after its signature check, as one atomic step: the node-ID check
    /// (`claimedNodeID` must be the node bound to `publicKey`, not unregistered) and
    /// `acknowledgeNodeHeartbeat`. A default (two calls) is in `FleetCallPaths.swift`.
    func acknowledgeNodeHeartbeat(publicKey: [UInt8], claimedNodeID: UInt64, heartbeatInterval: Double)
        async throws(LinkStateError) -> BoundHeartbeatOutcome
    /// Nodes owned by `ownerAid` (all statuses), after the offline sweep.
    func nodes(ownerAid: String) async throws(LinkStateError) -> [NodeRecord]
    /// One node, after the offline sweep.
    func node(_ nodeID: UInt64) async throws(LinkStateError) -> NodeRecord?
    /// IDs of `online` nodes in the run's federation; nil if the run is unknown.
    func onlineNodeIDs(runID: UInt64) async throws(LinkStateError) -> [UInt64]?

    // MARK: Runs

    /// Creates a `pending` run (fresh random ID, `pending_at = now`) and its ServerApp context in
    /// one transaction. `context` is a serialised `Context` whose run_id the caller fills later —
    /// so it is a closure of the new ID.
    func createRun(_ run: NewRun, context: @Sendable (UInt64) -> [UInt8]) async throws(LinkStateError) -> UInt64
    func run(_ runID: UInt64) async throws(LinkStateError) -> RunRecord?
    /// Runs created by `flwrAid` (all if nil), newest `pending_at` first.
    func runs(flwrAid: String?) async throws(LinkStateError) -> [RunRecord]
    /// IDs of `pending` runs (all federations), oldest first.
    func pendingRunIDs() async throws(LinkStateError) -> [UInt64]
    /// The app's own status report (ServerAppIo `UpdateRunStatus`). A run reaching `finished` also
    /// loses its token and its unreferenced objects.
    func updateRunStatus(runID: UInt64, phase: RunPhase, subStatus: String, details: String)
        async throws(LinkStateError) -> RunStatusUpdateOutcome
    /// Control `StopRun`: `finished:stopped`, and in the same transaction the run's token,
    /// messages (instructions and replies) and objects are deleted.
    func stopRun(runID: UInt64, flwrAid: String) async throws(LinkStateError) -> StopRunOutcome

    // MARK: App tokens (SuperExec / ServerApp)

    /// Grants the run's token (256 lowercase hex) and moves it pending → starting, atomically.
    /// nil if the run is unknown, not pending, or already has a token.
    func requestToken(runID: UInt64) async throws(LinkStateError) -> String?
    /// Extends a live token's `active_until = now + 60`. False for unknown/expired tokens.
    func acknowledgeAppHeartbeat(token: String) async throws(LinkStateError) -> Bool
    /// ServerAppIo `PullAppInputs`: token → run starting → running, if the run has its context and
    /// `canStart(run)` — the caller's check that the run's other inputs (its FAB) exist, evaluated in
    /// the transaction before the transition. Otherwise `.failed` and nothing changes (as in Flower,
    /// the run stays starting until its token expires).
    func startApp(token: String, canStart: @escaping @Sendable (RunRecord) -> Bool) async throws(LinkStateError)
        -> StartAppOutcome
    /// ServerAppIo `PushAppOutputs`: stores the final context and deletes the token, if the token
    /// belongs to `runID` and the run is running.
    func finishApp(token: String, runID: UInt64, context: [UInt8]) async throws(LinkStateError) -> FinishAppOutcome
    /// The stored ServerApp context.
    func serverAppContext(runID: UInt64) async throws(LinkStateError) -> [UInt8]?

    // MARK: Logs

    /// Appends one ServerApp log row (`node_id = 0`, `timestamp = now`, unique per run). False if the
    /// run is unknown.
    func appendServerAppLog(runID: UInt64, text: String) async throws(LinkStateError) -> Bool
    /// Concatenated ServerApp log after `after` and the latest timestamp (0 if none); nil if the run
    /// is unknown.
    func serverAppLog(runID: UInt64, after: Double) async throws(LinkStateError) -> (text: String, latest: Double)?

    // MARK: Messages

    /// ServerAppIo `PushMessages`: the run must be running; each instruction's destination must be
    /// `online` or `offline` and in the run's federation. Accepted instructions are inserted and
    /// their trees preregistered in one transaction; refused ones store nothing.
    func storeInstructions(runID: UInt64, _ messages: [MessageWithTree]) async throws(LinkStateError)
        -> StoreInstructionsOutcome
    /// Fleet `PullMessages`: claims at most one undelivered, unexpired instruction for the node
    /// (exactly once: concurrent pullers never get the same row), sets `delivered_at`. Expired or
    /// federation-invalid instructions are deleted; one whose tree is missing is deleted and skipped.
    /// A claimed instruction's `traffic` is added to its run in the same transaction.
    func claimInstruction(nodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?) async throws(LinkStateError)
        -> MessageWithTree?
    /// Fleet `PullMessages` after its signature check: the node-ID check of
    /// `acknowledgeNodeHeartbeat(publicKey:claimedNodeID:heartbeatInterval:)`, then
    /// `claimInstruction(nodeID:traffic:)`. A default (two calls) is in `FleetCallPaths.swift`.
    func claimInstruction(publicKey: [UInt8], claimedNodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?)
        async throws(LinkStateError) -> BoundClaimOutcome
    /// Fleet `PushMessages`: the run must be running; the instruction must exist, be unexpired and be
    /// addressed to `nodeID` (the signed sender, which must equal the reply's `src`); the reply's
    /// expiry may exceed the instruction's by at most 0.1 s; one reply per instruction. Reply row
    /// and tree preregistration happen in one transaction, with the stored reply's `traffic` (of its
    /// `objects_to_push`) added to the run; a rejected reply stores and counts nothing.
    func storeReply(fromNode nodeID: UInt64, _ reply: MessageWithTree, traffic: TrafficMeter<[String]>?)
        async throws(LinkStateError) -> StoreReplyOutcome
    /// ServerAppIo `PullMessages` (§2.5 order: missing/expired → node unavailable → reply).
    /// Entries are returned for IDs that produced an outcome, and those instructions and their
    /// replies are deleted in the same transaction. IDs still waiting produce nothing.
    func takeReplies(runID: UInt64, instructionIDs: [String]) async throws(LinkStateError) -> [ReplyOutcome]

    // MARK: Run-scoped objects (gated on the run being `running`)

    func preregisterObjects(runID: UInt64, tree: ObjectTree) async throws(LinkStateError) -> ObjectAccess<[String]>
    /// Stores a preregistered object's content; `traffic` is added to the run iff it was `.stored`.
    func pushObject(runID: UInt64, objectID: String, content: [UInt8], traffic: RunTraffic?)
        async throws(LinkStateError) -> ObjectAccess<PutOutcome>
    /// The object as Fleet/ServerAppIo `PullObject` reports it; `traffic` is added to the run iff it
    /// is available (with a meter, SQLite answers from its writer, in one transaction).
    func pullObject(runID: UInt64, objectID: String, traffic: TrafficMeter<PulledObject>?)
        async throws(LinkStateError) -> ObjectAccess<PulledObject>
    func confirmMessageReceived(runID: UInt64, messageObjectID: String) async throws(LinkStateError) -> ObjectAccess<Bool>

    // MARK: Maintenance

    /// Runs the lazy sweeps now (expired tokens fail their runs; overdue nodes go offline) and
    /// deletes objects of finished runs. Returns the IDs of runs failed by this sweep.
    func sweep() async throws(LinkStateError) -> [UInt64]
}
