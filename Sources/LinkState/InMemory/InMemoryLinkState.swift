import FlowerTime
import ObjectStore

/// `LinkState` in memory (`--database :flwr-in-memory:`, Flower's default): value-type tables behind
/// one lock, the object table included, so every method — even "store message and preregister its
/// tree" or "stop run, delete its messages and objects" — is one atomic step.
///
/// ```swift
/// let state = InMemoryLinkState()
/// let runID = try await state.createRun(newRun) { _ in contextBytes }
/// let token = try await state.requestToken(runID: runID)
/// ```
public final class InMemoryLinkState: LinkState {
    private let tables = LockedLinkTables()
    private let clock: @Sendable () -> Double
    public let objects: any ObjectStore

    /// - Parameter clock: Unix seconds; tests inject a controllable one.
    public init(clock: @escaping @Sendable () -> Double = FlowerTimestamp.now) {
        self.clock = clock
        self.objects = InMemoryObjectView(tables: tables)
    }

    private func locked<T: Sendable>(_ body: (inout LinkTables, Double) throws(LinkStateError) -> T)
        throws(LinkStateError) -> T
    {
        try tables.withLock { (t: inout LinkTables) throws(LinkStateError) -> T in try body(&t, clock()) }
    }

    // MARK: Nodes

    public func createNode(publicKey: [UInt8], ownerAid: String, ownerName: String, heartbeatInterval: Double)
        async throws(LinkStateError) -> UInt64
    {
        try locked { (t, now) throws(LinkStateError) in
            try t.createNode(publicKey: publicKey, ownerAid: ownerAid, ownerName: ownerName,
                             heartbeatInterval: heartbeatInterval, now: now)
        }
    }

    public func activateNode(publicKey: [UInt8], heartbeatInterval: Double) async throws(LinkStateError)
        -> ActivateNodeOutcome
    {
        try locked { t, now in t.activateNode(publicKey: publicKey, heartbeatInterval: heartbeatInterval, now: now) }
    }

    public func deactivateNode(nodeID: UInt64) async throws(LinkStateError) -> Bool {
        try locked { t, now in t.deactivateNode(nodeID, now: now) }
    }

    public func unregisterNode(nodeID: UInt64, ownerAid: String) async throws(LinkStateError) -> Bool {
        try locked { t, now in t.unregisterNode(nodeID, ownerAid: ownerAid, now: now) }
    }

    public func acknowledgeNodeHeartbeat(nodeID: UInt64, heartbeatInterval: Double) async throws(LinkStateError)
        -> Bool
    {
        try locked { t, now in t.acknowledgeHeartbeat(nodeID, heartbeatInterval: heartbeatInterval, now: now) }
    }

    public func nodeID(forPublicKey publicKey: [UInt8]) async throws(LinkStateError) -> UInt64? {
        try locked { t, _ in t.nodeID(forPublicKey: publicKey) }
    }

    public func nodes(ownerAid: String) async throws(LinkStateError) -> [NodeRecord] {
        try locked { t, now in t.nodes(ownerAid: ownerAid, now: now) }
    }

    public func node(_ nodeID: UInt64) async throws(LinkStateError) -> NodeRecord? {
        try locked { t, now in
            t.sweepNode(nodeID, now: now)
            return t.nodes[nodeID]?.record
        }
    }

    public func onlineNodeIDs(runID: UInt64) async throws(LinkStateError) -> [UInt64]? {
        try locked { t, now in
            guard t.runs[runID] != nil else { return nil }
            return t.nodes.values.map(\.record).filter { t.isOnline($0, now: now) }.map(\.nodeID).sorted()
        }
    }

    // MARK: Runs

    public func createRun(_ run: NewRun, context: @Sendable (UInt64) -> [UInt8]) async throws(LinkStateError)
        -> UInt64
    {
        try locked { t, now in t.createRun(run, context: context, now: now) }
    }

    public func run(_ runID: UInt64) async throws(LinkStateError) -> RunRecord? {
        try locked { t, now in t.run(runID, now: now) }
    }

    public func runs(flwrAid: String?) async throws(LinkStateError) -> [RunRecord] {
        try locked { t, now in
            _ = t.expireTokens(now: now)
            return t.runs.values
                .filter { flwrAid == nil || $0.record.flwrAid == flwrAid }
                .sorted { ($0.record.pendingAt, $0.seq) > ($1.record.pendingAt, $1.seq) }
                .map(\.record)
        }
    }

    public func pendingRunIDs() async throws(LinkStateError) -> [UInt64] {
        try locked { t, _ in
            t.runs.values.filter { $0.record.phase == .pending }
                .sorted { ($0.record.pendingAt, $0.seq) < ($1.record.pendingAt, $1.seq) }
                .map(\.record.runID)
        }
    }

    public func updateRunStatus(runID: UInt64, phase: RunPhase, subStatus: String, details: String)
        async throws(LinkStateError) -> RunStatusUpdateOutcome
    {
        try locked { t, now in
            t.updateRunStatus(runID, phase: phase, subStatus: subStatus, details: details, now: now)
        }
    }

    public func stopRun(runID: UInt64, flwrAid: String) async throws(LinkStateError) -> StopRunOutcome {
        try locked { t, now in t.stopRun(runID, flwrAid: flwrAid, now: now) }
    }

    // MARK: App tokens

    public func requestToken(runID: UInt64) async throws(LinkStateError) -> String? {
        try locked { t, now in t.requestToken(runID, now: now) }
    }

    public func acknowledgeAppHeartbeat(token: String) async throws(LinkStateError) -> Bool {
        try locked { t, now in t.acknowledgeAppHeartbeat(token, now: now) }
    }

    public func startApp(token: String, canStart: @escaping @Sendable (RunRecord) -> Bool) async throws(LinkStateError)
        -> StartAppOutcome
    {
        try locked { t, now in t.startApp(token, canStart: canStart, now: now) }
    }

    public func finishApp(token: String, runID: UInt64, context: [UInt8]) async throws(LinkStateError)
        -> FinishAppOutcome
    {
        try locked { t, now in t.finishApp(token, runID: runID, context: context, now: now) }
    }

    public func serverAppContext(runID: UInt64) async throws(LinkStateError) -> [UInt8]? {
        try locked { t, _ in t.contexts[runID] }
    }

    // MARK: Logs

    public func appendServerAppLog(runID: UInt64, text: String) async throws(LinkStateError) -> Bool {
        try locked { t, now in t.appendLog(runID, text: text, now: now) }
    }

    public func serverAppLog(runID: UInt64, after: Double) async throws(LinkStateError)
        -> (text: String, latest: Double)?
    {
        let result: LogSlice? = try locked { t, _ in
            t.serverAppLog(runID, after: after).map { LogSlice(text: $0.text, latest: $0.latest) }
        }
        return result.map { ($0.text, $0.latest) }
    }

    // MARK: Messages

    public func storeInstructions(runID: UInt64, _ messages: [MessageWithTree]) async throws(LinkStateError)
        -> StoreInstructionsOutcome
    {
        try locked { (t, now) throws(LinkStateError) in try t.storeInstructions(runID, messages, now: now) }
    }

    public func claimInstruction(nodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?) async throws(LinkStateError)
        -> MessageWithTree?
    {
        try locked { t, now in
            let claimed = t.claimInstruction(forNode: nodeID, now: now)
            if let claimed, let traffic { t.addTraffic(traffic(claimed), toRun: claimed.message.runID) }
            return claimed
        }
    }

    public func storeReply(fromNode nodeID: UInt64, _ reply: MessageWithTree, traffic: TrafficMeter<[String]>?)
        async throws(LinkStateError) -> StoreReplyOutcome
    {
        try locked { (t, now) throws(LinkStateError) in
            let outcome = try t.storeReply(fromNode: nodeID, reply, now: now)
            if case .stored(let toPush) = outcome, let traffic {
                t.addTraffic(traffic(toPush), toRun: reply.message.runID)
            }
            return outcome
        }
    }

    public func takeReplies(runID: UInt64, instructionIDs: [String]) async throws(LinkStateError) -> [ReplyOutcome] {
        try locked { t, now in t.takeReplies(runID, instructionIDs: instructionIDs, now: now) }
    }

    // MARK: Run-scoped objects

    public func preregisterObjects(runID: UInt64, tree: ObjectTree) async throws(LinkStateError)
        -> ObjectAccess<[String]>
    {
        try MessageRules.checkTreeIDs(tree)
        return try locked { (t, now) throws(LinkStateError) in
            if let refused = t.gate(runID, now: now) { return .refused(refused) }
            return .done(try t.preregister(runID: runID, tree: tree))
        }
    }

    public func pushObject(runID: UInt64, objectID: String, content: [UInt8], traffic: RunTraffic?)
        async throws(LinkStateError) -> ObjectAccess<PutOutcome>
    {
        // Hash and format checks are O(size): outside the lock. The gate comes first as in Flower,
        // so it is checked again (atomically with the store) below.
        let gateFirst: RunGate? = try locked { t, now in t.gate(runID, now: now) }
        if let refused = gateFirst { return .refused(refused) }
        if let refused = ObjectContent.verify(objectID: objectID, content: content) { return .done(refused) }
        return try locked { t, now in
            if let refused = t.gate(runID, now: now) { return .refused(refused) }
            let outcome = t.objects.store(objectID: objectID, content: content)
            if outcome == .stored, let traffic { t.addTraffic(traffic, toRun: runID) }
            return .done(outcome)
        }
    }

    public func pullObject(runID: UInt64, objectID: String, traffic: TrafficMeter<PulledObject>?)
        async throws(LinkStateError) -> ObjectAccess<PulledObject>
    {
        try locked { t, now in
            if let refused = t.gate(runID, now: now) { return .refused(refused) }
            let object = t.objects.pull(objectID: objectID)
            if object.available, let traffic { t.addTraffic(traffic(object), toRun: runID) }
            return .done(object)
        }
    }

    public func confirmMessageReceived(runID: UInt64, messageObjectID: String) async throws(LinkStateError)
        -> ObjectAccess<Bool>
    {
        try locked { t, now in
            if let refused = t.gate(runID, now: now) { return .refused(refused) }
            return .done(t.objects.delete(objectID: messageObjectID))
        }
    }

    // MARK: Maintenance

    public func sweep() async throws(LinkStateError) -> [UInt64] {
        try locked { t, now in t.sweep(now: now) }
    }

    // MARK: Inspection (tests)

    /// A copy of the object table.
    public var objectTableSnapshot: ObjectTable { tables.withLock { $0.objects } }
}

/// A Sendable carrier for `serverAppLog`'s tuple across the lock.
struct LogSlice: Sendable {
    var text: String
    var latest: Double
}
