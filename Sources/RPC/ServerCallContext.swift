/// What a handler knows about its call besides the request bytes.
public struct ServerCallContext: Sendable {
    /// The full method path, e.g. `/flwr.proto.Fleet/SendNodeHeartbeat`.
    public let method: String
    /// The client's request metadata (keys lower-case; `-bin` values decoded to raw bytes).
    public let metadata: Metadata
    /// When the client stops waiting, if it set a deadline.
    public let deadline: ContinuousClock.Instant?
    /// The client's address as the C core names it, e.g. `ipv4:127.0.0.1:53412`.
    public let peer: String

    public init(method: String, metadata: Metadata, deadline: ContinuousClock.Instant?, peer: String) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
    }
}
