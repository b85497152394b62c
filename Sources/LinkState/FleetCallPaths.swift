/// Outcome of `acknowledgeNodeHeartbeat(publicKey:claimedNodeID:heartbeatInterval:)`.
public enum BoundHeartbeatOutcome: Sendable, Equatable {
    /// `claimedNodeID` is not the (registered) node of the key: Fleet's "Invalid node ID".
    case notBound
    /// The heartbeat was recorded (committed).
    case acknowledged
    /// The node was bound at the check but gone by the update (unregistered in between):
    /// `success=false`. Only the two-step default can report it.
    case notAcknowledged
}

/// Outcome of `claimInstruction(publicKey:claimedNodeID:)`.
public enum BoundClaimOutcome: Sendable, Equatable {
    /// `claimedNodeID` is not the (registered) node of the key: Fleet's "Invalid node ID".
    case notBound
    /// The node is the key's; at most one instruction was claimed for it.
    case claimed(MessageWithTree?)
}

/// The Fleet hot paths as the two steps they combine. Backends where a state call has a fixed
/// cost worth halving (a hop to a database thread, a transaction) override them.
extension LinkState {
    public func acknowledgeNodeHeartbeat(publicKey: [UInt8], claimedNodeID: UInt64, heartbeatInterval: Double)
        async throws(LinkStateError) -> BoundHeartbeatOutcome
    {
        guard let bound = try await nodeID(forPublicKey: publicKey), bound == claimedNodeID else { return .notBound }
        let ok = try await acknowledgeNodeHeartbeat(nodeID: bound, heartbeatInterval: heartbeatInterval)
        return ok ? .acknowledged : .notAcknowledged
    }

    public func claimInstruction(publicKey: [UInt8], claimedNodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?)
        async throws(LinkStateError) -> BoundClaimOutcome
    {
        guard let bound = try await nodeID(forPublicKey: publicKey), bound == claimedNodeID else { return .notBound }
        return .claimed(try await claimInstruction(nodeID: bound, traffic: traffic))
    }
}
