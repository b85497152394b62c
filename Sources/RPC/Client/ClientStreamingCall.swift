import CGRPC
import Synchronization

/// One client server-streaming call. `RECV_MESSAGE` is issued only when the consumer asks for
/// the next message, so an unread stream exerts HTTP/2 flow control on the server.
///
/// Batches: the request (initial metadata, message, half-close), the final status (started up
/// front, completes when the call ends), and one read at a time. The C call is released once the
/// status has arrived, no batch is outstanding and the consumer has seen the end or gone away.
///
/// `@unchecked Sendable`: slots are written by the core only while the batch that targets them
/// is outstanding; `state` (under its lock) holds everything else, including the C call.
final class ClientStreamingCall: CompletionTarget, @unchecked Sendable {
    enum Kind: UInt {
        case sent, received, status
    }

    /// What a read yields: a message, or the end of the stream with the call's status.
    enum ReadOutcome: Sendable {
        case message([UInt8])
        case end(RPCStatus)
    }

    /// `@unchecked Sendable`: only touched under `state`'s lock.
    private struct State: @unchecked Sendable {
        var call: OpaquePointer?
        var outstandingBatches = 0
        var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
        var sendMetadata = OutgoingMetadata(Metadata())
        var initialMetadataRequested = false
        var pendingRead: UnsafeContinuation<ReadOutcome, Never>?
        /// A read found the end of the stream and waits for the status.
        var readFoundEnd = false
        var finalStatus: RPCStatus?
        /// The consumer has seen the end, or is gone.
        var consumerDone = false
    }

    private var block: SlotBlock
    private let initialMetadata: UnsafeMutablePointer<grpc_metadata_array>
    private let message: UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>
    private let status: ReceivedStatusSlots
    private let state: Mutex<State>

    /// Starts the call at once: sends the request and waits for the status in the background.
    init(call: OpaquePointer, request: [UInt8], metadata: Metadata) {
        block = SlotBlock(
            capacity: SlotBlock.bytes(for: grpc_metadata_array.self)
                + SlotBlock.bytes(for: UnsafeMutablePointer<grpc_byte_buffer>?.self) + ReceivedStatusSlots.blockBytes)
        initialMetadata = block.slot(grpc_metadata_array())
        message = block.slot(nil)
        status = ReceivedStatusSlots(in: &block)
        grpc_metadata_array_init(initialMetadata)
        state = Mutex(State(call: call))
        super.init()
        state.withLock { state in
            let buffer = ByteBuffers.make(request)
            let outgoing = OutgoingMetadata(metadata)
            state.sendBuffer = buffer
            state.sendMetadata = outgoing
            let sent = Ops.start(
                [Ops.sendInitialMetadata(outgoing), Ops.sendMessage(buffer), Ops.sendCloseFromClient()],
                on: call, target: self, kind: Kind.sent.rawValue)
            if sent == GRPC_CALL_OK { state.outstandingBatches += 1 }
            let awaited = Ops.start([Ops.receiveStatus(status)], on: call, target: self, kind: Kind.status.rawValue)
            if awaited == GRPC_CALL_OK {
                state.outstandingBatches += 1
            } else {
                state.finalStatus = RPCStatus(.internalError, ClientUnaryCall.describe(awaited))
            }
            if sent != GRPC_CALL_OK {
                if state.finalStatus == nil {
                    state.finalStatus = RPCStatus(.internalError, ClientUnaryCall.describe(sent))
                }
                _ = grpc_call_cancel(call, nil)
            }
        }
    }

    deinit {
        grpc_metadata_array_destroy(initialMetadata)
        status.destroy()
        if let buffer = message.pointee { grpc_byte_buffer_destroy(buffer) }
        block.deallocate()
    }

    /// The next message, `nil` at a clean end (status OK); throws the status otherwise.
    func next() async throws(RPCStatus) -> [UInt8]? {
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<ReadOutcome, Never>) in
                startRead(continuation)
            }
        } onCancel: {
            cancelCall()
        }
        switch outcome {
        case .message(let bytes): return bytes
        case .end(let status) where status.code == .ok: return nil
        case .end(let status): throw status
        }
    }

    private func startRead(_ continuation: UnsafeContinuation<ReadOutcome, Never>) {
        let immediate: ReadOutcome? = state.withLock { state in
            if state.consumerDone { return .end(RPCStatus(.ok)) }
            guard let call = state.call, !state.readFoundEnd else {
                state.consumerDone = true
                return .end(state.finalStatus ?? RPCStatus(.internalError, "Call ended without status"))
            }
            guard state.pendingRead == nil else {
                return .end(RPCStatus(.failedPrecondition, "Concurrent reads of one stream"))
            }
            var ops: [grpc_op] = []
            if !state.initialMetadataRequested { ops.append(Ops.receiveInitialMetadata(initialMetadata)) }
            ops.append(Ops.receiveMessage(message))
            let result = Ops.start(ops, on: call, target: self, kind: Kind.received.rawValue)
            guard result == GRPC_CALL_OK else {
                state.consumerDone = true
                _ = grpc_call_cancel(call, nil)
                return .end(RPCStatus(.internalError, ClientUnaryCall.describe(result)))
            }
            state.initialMetadataRequested = true
            state.outstandingBatches += 1
            state.pendingRead = continuation
            return nil
        }
        if let immediate { continuation.resume(returning: immediate) }
    }

    /// Cancels the call; used on task cancellation.
    func cancelCall() {
        state.withLock { state in
            if let call = state.call { _ = grpc_call_cancel(call, nil) }
        }
    }

    /// The consumer is gone (its stream was dropped): cancel and release when possible.
    func abandon() {
        state.withLock { state in
            state.consumerDone = true
            if let call = state.call { _ = grpc_call_cancel(call, nil) }
            releaseIfDoneLocked(&state)
        }
    }

    override func complete(kind: UInt, success: Bool) {
        switch Kind(rawValue: kind)! {
        case .sent:
            state.withLock { state in
                state.outstandingBatches -= 1
                if let buffer = state.sendBuffer { grpc_byte_buffer_destroy(buffer) }
                state.sendBuffer = nil
                state.sendMetadata.free()
                releaseIfDoneLocked(&state)
            }
        case .received:
            let bytes = ByteBuffers.consume(message.pointee)
            message.pointee = nil
            let resume: (UnsafeContinuation<ReadOutcome, Never>, ReadOutcome)? = state.withLock { state in
                state.outstandingBatches -= 1
                guard let continuation = state.pendingRead else { return nil }
                if let bytes, success {
                    state.pendingRead = nil
                    return (continuation, .message(bytes))
                }
                state.readFoundEnd = true
                guard let final = state.finalStatus else { return nil }  // the status completion resumes
                state.pendingRead = nil
                state.consumerDone = true
                releaseIfDoneLocked(&state)
                return (continuation, .end(final))
            }
            if let (continuation, outcome) = resume { continuation.resume(returning: outcome) }
        case .status:
            let final = status.take()
            let resume: UnsafeContinuation<ReadOutcome, Never>? = state.withLock { state in
                state.outstandingBatches -= 1
                state.finalStatus = final
                var continuation: UnsafeContinuation<ReadOutcome, Never>?
                if state.readFoundEnd, let pending = state.pendingRead {
                    state.pendingRead = nil
                    state.consumerDone = true
                    continuation = pending
                }
                releaseIfDoneLocked(&state)
                return continuation
            }
            resume?.resume(returning: .end(final))
        }
    }

    private func releaseIfDoneLocked(_ state: inout State) {
        guard state.finalStatus != nil, state.outstandingBatches == 0, state.consumerDone,
            let call = state.call
        else { return }
        grpc_call_unref(call)
        state.call = nil
        grpc_metadata_array_destroy(initialMetadata)
        grpc_metadata_array_init(initialMetadata)
    }
}

/// Owned by the consumer's stream; when the stream is dropped, the call is abandoned.
final class ClientStreamHandle: Sendable {
    let call: ClientStreamingCall

    init(_ call: ClientStreamingCall) { self.call = call }

    deinit { call.abandon() }
}
