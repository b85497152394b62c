import FlowerProto
import RPC

/// Flower's GrpcAdapter (protocol §4.7): the Fleet RPCs tunnelled through one method,
/// `flwr.proto.GrpcAdapter/SendReceive(MessageContainer) -> MessageContainer`, for proxies that
/// forward a single path. Served on the Fleet port instead of Fleet with
/// `--fleet-api-type grpc-adapter`; no node signature auth, as in Flower.
public struct GrpcAdapterServicer: Sendable {
    let fleet: FleetServicer

    /// The reply metadata Flower's adapter sends besides the message module and name.
    static let packageMetadata = [
        "flower-package-name": "flwr",
        "flower-package-version": "1.28.0",
        "flower-version": "1.28.0",
    ]

    public init(context: ServiceContext) {
        self.fleet = FleetServicer(context: context)
    }

    /// Registers `SendReceive` on `server`.
    public func register(on server: RPCServer) {
        ServiceRegistrar(server: server).unary(FlwrGrpcAdapter.sendReceive) { container, _ throws(SuperLinkError) in
            try await sendReceive(container)
        }
    }

    /// Dispatches on `grpc_message_name` (the request's short name) to the shared Fleet handler
    /// and wraps its reply under the response type's short name. Flower raises on an unknown
    /// name: UNKNOWN "Exception calling application: Invalid grpc_message_name: <name>".
    func sendReceive(_ container: FlwrMessageContainer) async throws(SuperLinkError) -> FlwrMessageContainer {
        guard let endpoint = FleetEndpoint.byRequestName[container.grpcMessageName] else {
            throw .invalidGrpcMessageName(container.grpcMessageName)
        }
        var reply = FlwrMessageContainer()
        reply.grpcMessageContent = try await endpoint.serve(fleet, container.grpcMessageContent)
        reply.grpcMessageName = endpoint.responseName
        reply.metadata = Self.packageMetadata
        reply.metadata["grpc-message-module"] = endpoint.responseModule
        reply.metadata["grpc-message-qualname"] = endpoint.responseName
        return reply
    }
}
