import CGRPC
import Synchronization

/// A client channel to one gRPC target, making byte-level calls.
///
/// ```swift
/// let channel = RPCChannel(target: "127.0.0.1:9092")
/// let reply = try await channel.unary("/pkg.Echo/Say", request: bytes, timeout: .seconds(5))
/// for try await chunk in channel.serverStreaming("/pkg.Echo/Watch", request: bytes) { ... }
/// channel.close()
/// ```
///
/// Calls fail with `RPCStatus` (e.g. `UNAVAILABLE` when nothing listens, `DEADLINE_EXCEEDED`
/// after `timeout`, `CANCELLED` when the calling Task is cancelled).
public final class RPCChannel: Sendable {
    /// The target as given, e.g. `127.0.0.1:9092`, `localhost:9093`, `[::1]:9091`.
    public let target: String

    /// `@unchecked Sendable`: the `grpc_channel*` is used only under `channel`'s lock, and
    /// destroyed (set to nil) under it.
    private struct Handle: @unchecked Sendable {
        var pointer: OpaquePointer?
    }

    /// `@unchecked Sendable`: a just-created `grpc_call*` handed from the lock to its one owner.
    private struct NewCall: @unchecked Sendable {
        var pointer: OpaquePointer?
    }

    private let channel: Mutex<Handle>

    /// Creates the channel (connection happens lazily, on the first call). `tls` nil means
    /// plaintext; `maxMessageBytes` caps sent and received messages (Flower: 2 GiB − 1).
    /// `privateConnection`: by default the C core shares one connection among channels to the
    /// same target; with `true` this channel gets its own, as separate client processes would
    /// (load generators simulating many SuperNodes).
    public init(
        target: String, tls: TLSClientConfig? = nil, maxMessageBytes: Int = 2_147_483_647,
        privateConnection: Bool = false
    ) {
        GRPCLibrary.ensureInitialized()
        self.target = target
        var arguments = ChannelArguments()
        arguments.set(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, maxMessageBytes)
        arguments.set(GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, maxMessageBytes)
        if privateConnection { arguments.set(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1) }
        let credentials: OpaquePointer
        if let tls {
            let roots = tls.rootCertificatesPEM.map { pem in pem.filter { $0 != 0 }.map { CChar(bitPattern: $0) } + [0] }
            credentials = PEM.withOptionalCString(roots) { grpc_ssl_credentials_create($0, nil, nil, nil) }
        } else {
            credentials = grpc_insecure_credentials_create()
        }
        defer { grpc_channel_credentials_release(credentials) }
        let pointer = arguments.withChannelArgs { grpc_channel_create(target, credentials, $0) }
        channel = Mutex(Handle(pointer: pointer))
    }

    deinit {
        close()
    }

    /// Destroys the channel; later calls fail with `UNAVAILABLE`. Idempotent.
    public func close() {
        channel.withLock { handle in
            if let pointer = handle.pointer { grpc_channel_destroy(pointer) }
            handle.pointer = nil
        }
    }

    /// Makes a unary call and returns the response bytes.
    public func unary(
        _ path: String, request: [UInt8], metadata: Metadata = .init(), timeout: Duration? = nil
    ) async throws(RPCStatus) -> [UInt8] {
        if Task.isCancelled { throw RPCStatus(.cancelled, "Call cancelled before it started") }
        guard let pointer = makeCall(path, timeout: timeout) else { throw Self.closedStatus }
        let call = ClientUnaryCall(call: pointer)
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                call.start(request: request, metadata: metadata, continuation: continuation)
            }
        } onCancel: {
            call.cancel()
        }
        return try outcome.get()
    }

    /// Starts a server-streaming call. Each pull of the stream reads one message from the
    /// server (nothing is read ahead); the stream ends cleanly on status OK and throws
    /// `RPCStatus` otherwise. Dropping or cancelling the stream's consumer cancels the call.
    public func serverStreaming(
        _ path: String, request: [UInt8], metadata: Metadata = .init(), timeout: Duration? = nil
    ) -> AsyncThrowingStream<[UInt8], Error> {
        guard let pointer = makeCall(path, timeout: timeout) else {
            return AsyncThrowingStream { $0.finish(throwing: Self.closedStatus) }
        }
        let handle = ClientStreamHandle(ClientStreamingCall(call: pointer, request: request, metadata: metadata))
        return AsyncThrowingStream(unfolding: {
            try await handle.call.next()
        })
    }

    private static let closedStatus = RPCStatus(.unavailable, "Channel closed")

    private func makeCall(_ path: String, timeout: Duration?) -> OpaquePointer? {
        let deadline = Timespecs.deadline(after: timeout)
        let created: NewCall = channel.withLock { handle in
            guard let channel = handle.pointer else { return NewCall(pointer: nil) }
            let method = Slices.copy(path)
            defer { grpc_slice_unref(method) }
            return NewCall(
                pointer: grpc_channel_create_call(
                    channel, nil, cgrpc_propagate_defaults(), CompletionQueue.client.handle, method, nil, deadline, nil))
        }
        return created.pointer
    }
}
