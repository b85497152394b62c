import ObjectStore

/// Short forms for callers with nothing to count or check: ServerAppIo's object calls (Flower counts
/// Fleet traffic only) and tests.
extension LinkState {
    public func claimInstruction(nodeID: UInt64) async throws(LinkStateError) -> MessageWithTree? {
        try await claimInstruction(nodeID: nodeID, traffic: nil)
    }

    public func claimInstruction(publicKey: [UInt8], claimedNodeID: UInt64) async throws(LinkStateError)
        -> BoundClaimOutcome
    {
        try await claimInstruction(publicKey: publicKey, claimedNodeID: claimedNodeID, traffic: nil)
    }

    public func storeReply(fromNode nodeID: UInt64, _ reply: MessageWithTree) async throws(LinkStateError)
        -> StoreReplyOutcome
    {
        try await storeReply(fromNode: nodeID, reply, traffic: nil)
    }

    public func pushObject(runID: UInt64, objectID: String, content: [UInt8]) async throws(LinkStateError)
        -> ObjectAccess<PutOutcome>
    {
        try await pushObject(runID: runID, objectID: objectID, content: content, traffic: nil)
    }

    public func pullObject(runID: UInt64, objectID: String) async throws(LinkStateError) -> ObjectAccess<PulledObject> {
        try await pullObject(runID: runID, objectID: objectID, traffic: nil)
    }

    /// `startApp(token:canStart:)` with no check beyond the run's own state.
    public func startApp(token: String) async throws(LinkStateError) -> StartAppOutcome {
        try await startApp(token: token) { _ in true }
    }
}
