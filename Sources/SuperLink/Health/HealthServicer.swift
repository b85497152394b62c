import FlowerProto
import RPC

/// The standard `grpc.health.v1.Health` service as Flower serves it: `Check` always answers
/// SERVING (whatever the service name); `Watch` is UNIMPLEMENTED.
public struct HealthServicer: Sendable {
    public init() {}

    public func register(on server: RPCServer) {
        let r = ServiceRegistrar(server: server)
        r.unary(GrpcHealthV1Health.check) { _, _ throws(SuperLinkError) in
            var resp = GrpcHealthV1HealthCheckResponse()
            resp.status = .serving
            return resp
        }
        r.serverStreaming(GrpcHealthV1Health.watch) { _, _, _ throws(SuperLinkError) in
            throw .notImplemented("Watch")
        }
    }
}
