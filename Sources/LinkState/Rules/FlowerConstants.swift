/// Flower 1.28 constants the state layer applies.
public enum FlowerConstants {
    /// `SUPERLINK_NODE_ID`: the source of instructions and destination of replies.
    public static let superLinkNodeID: UInt64 = 1
    /// `HEARTBEAT_PATIENCE`: a node stays online for this many heartbeat intervals.
    public static let heartbeatPatience: Double = 2
    /// A fresh app token lives this long without a heartbeat (seconds).
    public static let tokenInitialLifetime: Double = 30
    /// Each `SendAppHeartbeat` extends the token to now + this (2 × 30 s).
    public static let tokenHeartbeatLifetime: Double = 60
    /// `MESSAGE_TTL_TOLERANCE`: how far a reply's expiry may exceed its instruction's (seconds).
    public static let messageTTLTolerance: Double = 0.1
    /// `details` of a run failed by token expiry.
    public static let noHeartbeatDetails = "No heartbeat received from the run."
    /// Minimum gap between two ServerApp log rows of one run (seconds). Keeps the
    /// UNIQUE(timestamp, run_id, node_id) key and the order of `StreamLogs`' `after + 1e-6`
    /// cursor intact when two pushes land on the same clock reading.
    public static let logTimestampStep: Double = 1e-5
}
