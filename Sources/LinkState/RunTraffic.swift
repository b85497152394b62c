/// What one Fleet call adds to its run's counters (`run.bytes_sent`, `bytes_recv`,
/// `clientapp_runtime`). It is passed to the state call whose change it accounts for and added in
/// that call's transaction, so the counters never lag or outlive the change they describe.
public struct RunTraffic: Sendable, Equatable {
    /// Bytes the SuperLink sent to the node (a serialised response, an object's content).
    public var bytesSent: UInt64
    /// Bytes the SuperLink received from the node.
    public var bytesRecv: UInt64
    /// ClientApp seconds the node reported with its reply.
    public var clientappRuntime: Double

    public init(bytesSent: UInt64 = 0, bytesRecv: UInt64 = 0, clientappRuntime: Double = 0) {
        self.bytesSent = bytesSent
        self.bytesRecv = bytesRecv
        self.clientappRuntime = clientappRuntime
    }
}

/// The traffic of a call whose response depends on what the call produced (the claimed
/// instruction, the reply's `objects_to_push`, the pulled object). It runs inside the transaction,
/// only when the call counts (see each method); it must be quick and must not call the state.
public typealias TrafficMeter<Produced> = @Sendable (Produced) -> RunTraffic
