import LinkState
import ObjectStore
import Synchronization

/// A LinkState that forwards to another and counts calls by method name, so tests can see what a
/// servicer is still doing (for example whether a `StreamLogs` loop still polls after a cancel).
final class ObservedLinkState: LinkState {
    let base: any LinkState
    private let counts = Mutex<[String: Int]>([:])

    init(_ base: any LinkState) { self.base = base }

    func count(_ name: String) -> Int { counts.withLock { $0[name, default: 0] } }

    /// Every method's call count so far.
    func callCounts() -> [String: Int] { counts.withLock { $0 } }

    private func note(_ name: String = #function) {
        let key = String(name.prefix { $0 != "(" })
        counts.withLock { $0[key, default: 0] += 1 }
    }

    var objects: any ObjectStore { base.objects }

    func createNode(publicKey: [UInt8], ownerAid: String, ownerName: String, heartbeatInterval: Double)
        async throws(LinkStateError) -> UInt64
    {
        note()
        return try await base.createNode(
            publicKey: publicKey, ownerAid: ownerAid, ownerName: ownerName, heartbeatInterval: heartbeatInterval)
    }

    func activateNode(publicKey: [UInt8], heartbeatInterval: Double) async throws(LinkStateError)
        -> ActivateNodeOutcome
    {
        note()
        return try await base.activateNode(publicKey: publicKey, heartbeatInterval: heartbeatInterval)
    }

    func deactivateNode(nodeID: UInt64) async throws(LinkStateError) -> Bool {
        note()
        return try await base.deactivateNode(nodeID: nodeID)
    }

    func unregisterNode(nodeID: UInt64, ownerAid: String) async throws(LinkStateError) -> Bool {
        note()
        return try await base.unregisterNode(nodeID: nodeID, ownerAid: ownerAid)
    }

    func acknowledgeNodeHeartbeat(nodeID: UInt64, heartbeatInterval: Double) async throws(LinkStateError) -> Bool {
        note()
        return try await base.acknowledgeNodeHeartbeat(nodeID: nodeID, heartbeatInterval: heartbeatInterval)
    }

    func nodeID(forPublicKey publicKey: [UInt8]) async throws(LinkStateError) -> UInt64? {
        note()
        return try await base.nodeID(forPublicKey: publicKey)
    }

    func nodes(ownerAid: String) async throws(LinkStateError) -> [NodeRecord] {
        note()
        return try await base.nodes(ownerAid: ownerAid)
    }

    func node(_ nodeID: UInt64) async throws(LinkStateError) -> NodeRecord? {
        note()
        return try await base.node(nodeID)
    }

    func onlineNodeIDs(runID: UInt64) async throws(LinkStateError) -> [UInt64]? {
        note()
        return try await base.onlineNodeIDs(runID: runID)
    }

    func createRun(_ run: NewRun, context: @Sendable (UInt64) -> [UInt8]) async throws(LinkStateError) -> UInt64 {
        note()
        return try await base.createRun(run, context: context)
    }

    func run(_ runID: UInt64) async throws(LinkStateError) -> RunRecord? {
        note()
        return try await base.run(runID)
    }

    func runs(flwrAid: String?) async throws(LinkStateError) -> [RunRecord] {
        note()
        return try await base.runs(flwrAid: flwrAid)
    }

    func pendingRunIDs() async throws(LinkStateError) -> [UInt64] {
        note()
        return try await base.pendingRunIDs()
    }

    func updateRunStatus(runID: UInt64, phase: RunPhase, subStatus: String, details: String)
        async throws(LinkStateError) -> RunStatusUpdateOutcome
    {
        note()
        return try await base.updateRunStatus(runID: runID, phase: phase, subStatus: subStatus, details: details)
    }

    func stopRun(runID: UInt64, flwrAid: String) async throws(LinkStateError) -> StopRunOutcome {
        note()
        return try await base.stopRun(runID: runID, flwrAid: flwrAid)
    }

    func requestToken(runID: UInt64) async throws(LinkStateError) -> String? {
        note()
        return try await base.requestToken(runID: runID)
    }

    func acknowledgeAppHeartbeat(token: String) async throws(LinkStateError) -> Bool {
        note()
        return try await base.acknowledgeAppHeartbeat(token: token)
    }

    func startApp(token: String, canStart: @escaping @Sendable (RunRecord) -> Bool) async throws(LinkStateError)
        -> StartAppOutcome
    {
        note()
        return try await base.startApp(token: token, canStart: canStart)
    }

    func finishApp(token: String, runID: UInt64, context: [UInt8]) async throws(LinkStateError) -> FinishAppOutcome {
        note()
        return try await base.finishApp(token: token, runID: runID, context: context)
    }

    func serverAppContext(runID: UInt64) async throws(LinkStateError) -> [UInt8]? {
        note()
        return try await base.serverAppContext(runID: runID)
    }

    func appendServerAppLog(runID: UInt64, text: String) async throws(LinkStateError) -> Bool {
        note()
        return try await base.appendServerAppLog(runID: runID, text: text)
    }

    func serverAppLog(runID: UInt64, after: Double) async throws(LinkStateError) -> (text: String, latest: Double)? {
        note()
        return try await base.serverAppLog(runID: runID, after: after)
    }

    func storeInstructions(runID: UInt64, _ messages: [MessageWithTree]) async throws(LinkStateError)
        -> StoreInstructionsOutcome
    {
        note()
        return try await base.storeInstructions(runID: runID, messages)
    }

    func claimInstruction(nodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?) async throws(LinkStateError)
        -> MessageWithTree?
    {
        note()
        return try await base.claimInstruction(nodeID: nodeID, traffic: traffic)
    }

    func storeReply(fromNode nodeID: UInt64, _ reply: MessageWithTree, traffic: TrafficMeter<[String]>?)
        async throws(LinkStateError) -> StoreReplyOutcome
    {
        note()
        return try await base.storeReply(fromNode: nodeID, reply, traffic: traffic)
    }

    func takeReplies(runID: UInt64, instructionIDs: [String]) async throws(LinkStateError) -> [ReplyOutcome] {
        note()
        return try await base.takeReplies(runID: runID, instructionIDs: instructionIDs)
    }

    func preregisterObjects(runID: UInt64, tree: ObjectTree) async throws(LinkStateError) -> ObjectAccess<[String]> {
        note()
        return try await base.preregisterObjects(runID: runID, tree: tree)
    }

    func pushObject(runID: UInt64, objectID: String, content: [UInt8], traffic: RunTraffic?)
        async throws(LinkStateError) -> ObjectAccess<PutOutcome>
    {
        note()
        return try await base.pushObject(runID: runID, objectID: objectID, content: content, traffic: traffic)
    }

    func pullObject(runID: UInt64, objectID: String, traffic: TrafficMeter<PulledObject>?)
        async throws(LinkStateError) -> ObjectAccess<PulledObject>
    {
        note()
        return try await base.pullObject(runID: runID, objectID: objectID, traffic: traffic)
    }

    func confirmMessageReceived(runID: UInt64, messageObjectID: String) async throws(LinkStateError)
        -> ObjectAccess<Bool>
    {
        note()
        return try await base.confirmMessageReceived(runID: runID, messageObjectID: messageObjectID)
    }

    func sweep() async throws(LinkStateError) -> [UInt64] {
        note()
        return try await base.sweep()
    }
}
