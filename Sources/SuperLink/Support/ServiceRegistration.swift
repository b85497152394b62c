import LinkState
import ObjectStore
import ProtoWire
import RPC

/// Registers typed Flower handlers on an `RPCServer`: decoding, encoding and the single mapping
/// of every layer's error to a gRPC status happen here, so servicers only see typed values.
struct ServiceRegistrar {
    let server: RPCServer

    /// A unary RPC. A body that does not decode is INVALID_ARGUMENT; a thrown `SuperLinkError`
    /// becomes its Flower status; state failures become INTERNAL.
    func unary<Req, Resp>(
        _ method: ProtoMethod<Req, Resp>,
        _ handler: @escaping @Sendable (Req, ServerCallContext) async throws(SuperLinkError) -> Resp
    ) {
        unary(method, before: { _ throws(SuperLinkError) in () }) { request, context, _ throws(SuperLinkError) in
            try await handler(request, context)
        }
    }

    /// A unary RPC whose `before` check runs on the call (its metadata) before the request body
    /// is decoded; what it returns is handed to the handler.
    func unary<Req, Resp, Checked: Sendable>(
        _ method: ProtoMethod<Req, Resp>,
        before: @escaping @Sendable (ServerCallContext) throws(SuperLinkError) -> Checked,
        _ handler: @escaping @Sendable (Req, ServerCallContext, Checked) async throws(SuperLinkError) -> Resp
    ) {
        server.registerUnary(method.path) { bytes, context in
            let checked: Checked
            do throws(SuperLinkError) {
                checked = try before(context)
            } catch {
                throw error.status
            }
            let request: Req
            do {
                request = try Req(serializedBytes: bytes)
            } catch {
                throw SuperLinkError.malformedRequest("\(error)").status
            }
            do throws(SuperLinkError) {
                let response = try await handler(request, context, checked)
                return response.serializedBytes()
            } catch {
                throw error.status
            }
        }
    }

    /// A server-streaming RPC.
    func serverStreaming<Req, Resp>(
        _ method: ProtoMethod<Req, Resp>,
        _ handler: @escaping @Sendable (Req, ServerCallContext, _ send: @Sendable (Resp) async throws -> Void)
            async throws(SuperLinkError) -> Void
    ) {
        server.registerServerStreaming(method.path) { bytes, context, writer in
            let request: Req
            do {
                request = try Req(serializedBytes: bytes)
            } catch {
                throw SuperLinkError.malformedRequest("\(error)").status
            }
            do throws(SuperLinkError) {
                try await handler(request, context) { response in
                    try await writer.send(response.serializedBytes())
                }
            } catch {
                throw error.status
            }
        }
    }
}

extension SuperLinkError {
    /// Lifts a state-layer error into the servicer's error type.
    init(_ error: LinkStateError) {
        switch error {
        case .publicKeyInUse: self = .publicKeyInUse
        case .invalidObjectID(let id): self = .malformedRequest("invalid object ID \(id)")
        case .storage(let why): self = .storage(why)
        }
    }
}

/// Runs a state call, converting its typed error once.
@inline(__always)
func withState<T>(_ body: () async throws(LinkStateError) -> T) async throws(SuperLinkError) -> T {
    do {
        return try await body()
    } catch {
        throw SuperLinkError(error)
    }
}
