/// One gRPC method: its full path and the message types it exchanges.
///
/// ```swift
/// let method = FlwrFleet.registerNode   // ProtoMethod<FlwrRegisterNodeFleetRequest, ...>
/// method.path                          // "/flwr.proto.Fleet/RegisterNode"
/// ```
public struct ProtoMethod<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
    /// `/<package>.<Service>/<Method>`, as sent in the HTTP/2 `:path` header.
    public let path: String
    /// The server answers with a stream of responses.
    public let isServerStreaming: Bool
    /// The client sends a stream of requests (only the legacy `FlowerService.Join` does).
    public let isClientStreaming: Bool

    public init(path: String, isServerStreaming: Bool, isClientStreaming: Bool = false) {
        self.path = path
        self.isServerStreaming = isServerStreaming
        self.isClientStreaming = isClientStreaming
    }
}
