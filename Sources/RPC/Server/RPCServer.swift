import Foundation

/// A gRPC server over the C core that dispatches calls by method path to byte-level handlers.
///
/// ```swift
/// let server = RPCServer()
/// server.registerUnary("/pkg.Echo/Say") { request, context in request }
/// let port = try server.bind("127.0.0.1:0", tls: nil)
/// try server.start()
/// ...
/// await server.shutdown(grace: .seconds(1))
/// ```
///
/// Each call's handler runs in its own Task. A client cancel or an expired deadline cancels that
/// Task. Handler errors: a thrown `RPCStatus` is sent as-is; any other error becomes `UNKNOWN`
/// with the error's description. Unknown paths get `UNIMPLEMENTED`.
public final class RPCServer: Sendable {
    private let core: ServerCore

    public init(config: ServerConfig = .init()) {
        core = ServerCore(config: config)
    }

    deinit {
        core.shutdown(grace: .zero)
    }

    public var config: ServerConfig { core.config }

    // MARK: Registration (before or after start)

    /// Registers a unary method; a second registration of `path` replaces the first.
    public func registerUnary(
        _ path: String, _ handler: @escaping @Sendable ([UInt8], ServerCallContext) async throws -> [UInt8]
    ) {
        core.register(path, .unary(handler))
    }

    /// Registers a server-streaming method; the call ends (status OK) when the handler returns.
    public func registerServerStreaming(
        _ path: String,
        _ handler: @escaping @Sendable ([UInt8], ServerCallContext, ServerStreamWriter) async throws -> Void
    ) {
        core.register(path, .serverStreaming(handler))
    }

    /// Registers a unary method with typed messages. A `decode` failure answers
    /// `INVALID_ARGUMENT` with "Malformed request: <error>".
    public func registerUnary<Request, Response>(
        _ path: String,
        decode: @escaping @Sendable ([UInt8]) throws -> Request,
        encode: @escaping @Sendable (Response) -> [UInt8],
        handler: @escaping @Sendable (Request, ServerCallContext) async throws -> Response
    ) {
        registerUnary(path) { bytes, context in
            let request = try Self.decodeRequest(bytes, decode)
            return encode(try await handler(request, context))
        }
    }

    /// Registers a server-streaming method with typed messages; decode failures as in
    /// `registerUnary(_:decode:encode:handler:)`.
    public func registerServerStreaming<Request, Response>(
        _ path: String,
        decode: @escaping @Sendable ([UInt8]) throws -> Request,
        encode: @escaping @Sendable (Response) -> [UInt8],
        handler: @escaping @Sendable (Request, ServerCallContext, MessageStreamWriter<Response>) async throws -> Void
    ) {
        registerServerStreaming(path) { bytes, context, writer in
            let request = try Self.decodeRequest(bytes, decode)
            try await handler(request, context, MessageStreamWriter(raw: writer, encode: encode))
        }
    }

    private static func decodeRequest<Request>(
        _ bytes: [UInt8], _ decode: ([UInt8]) throws -> Request
    ) throws(RPCStatus) -> Request {
        do {
            return try decode(bytes)
        } catch {
            throw RPCStatus(.invalidArgument, "Malformed request: \(error)")
        }
    }

    // MARK: Lifecycle

    /// Listens on `host:port` (IPv4, `[IPv6]`, hostname; port 0 picks a free port), with TLS
    /// when `tls` is given. Call before `start()`; may be called for several addresses.
    /// Returns the bound port. A taken port throws `RPCError.addressInUse`.
    @discardableResult
    public func bind(_ address: String, tls: TLSServerConfig? = nil) throws(RPCError) -> Int {
        try core.bind(address, tls: tls)
    }

    /// Starts serving.
    public func start() throws(RPCError) {
        try core.start()
    }

    /// Graceful stop: refuses new calls, lets in-flight calls finish for up to `grace`, then
    /// cancels the rest (their handler Tasks see cancellation) and frees everything.
    /// Idempotent. Blocks the calling thread: never call it from the cooperative pool (use the
    /// async variant there).
    public func shutdown(grace: Duration) {
        core.shutdown(grace: grace)
    }

    /// `shutdown(grace:)` on a dedicated thread, so the cooperative pool is never blocked.
    public func shutdown(grace: Duration) async {
        let core = core
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                core.shutdown(grace: grace)
                continuation.resume()
            }
            thread.name = "rpc-server-shutdown"
            thread.start()
        }
    }
}
