import CGRPC
import Synchronization

/// One client unary call: a single batch with all six ops, one completion.
///
/// `@unchecked Sendable`: the slots are written by the core while the batch is outstanding and
/// read on its completion; `state` (under its lock) holds everything else, and the C call is
/// used (cancel, unref) only under that lock.
final class ClientUnaryCall: CompletionTarget, @unchecked Sendable {
    typealias Outcome = Result<[UInt8], RPCStatus>

    /// `@unchecked Sendable`: only touched under `state`'s lock.
    private struct State: @unchecked Sendable {
        var call: OpaquePointer?
        var continuation: UnsafeContinuation<Outcome, Never>?
        var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
        var sendMetadata = OutgoingMetadata(Metadata())
    }

    private var block: SlotBlock
    private let initialMetadata: UnsafeMutablePointer<grpc_metadata_array>
    private let message: UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>
    private let status: ReceivedStatusSlots
    private let state: Mutex<State>

    init(call: OpaquePointer) {
        block = SlotBlock(
            capacity: SlotBlock.bytes(for: grpc_metadata_array.self)
                + SlotBlock.bytes(for: UnsafeMutablePointer<grpc_byte_buffer>?.self) + ReceivedStatusSlots.blockBytes)
        initialMetadata = block.slot(grpc_metadata_array())
        message = block.slot(nil)
        status = ReceivedStatusSlots(in: &block)
        grpc_metadata_array_init(initialMetadata)
        state = Mutex(State(call: call))
    }

    deinit {
        grpc_metadata_array_destroy(initialMetadata)
        status.destroy()
        if let buffer = message.pointee { grpc_byte_buffer_destroy(buffer) }
        block.deallocate()
    }

    /// Starts the call; `continuation` is resumed exactly once with the outcome.
    func start(request: [UInt8], metadata: Metadata, continuation: UnsafeContinuation<Outcome, Never>) {
        let refusal: RPCStatus? = state.withLock { state in
            guard let call = state.call else { return RPCStatus(.cancelled, "Call cancelled") }
            let buffer = ByteBuffers.make(request)
            var outgoing = OutgoingMetadata(metadata)
            let ops = [
                Ops.sendInitialMetadata(outgoing), Ops.sendMessage(buffer), Ops.sendCloseFromClient(),
                Ops.receiveInitialMetadata(initialMetadata), Ops.receiveMessage(message), Ops.receiveStatus(status),
            ]
            let result = Ops.start(ops, on: call, target: self, kind: 0)
            guard result == GRPC_CALL_OK else {
                grpc_byte_buffer_destroy(buffer)
                outgoing.free()
                grpc_call_unref(call)
                state.call = nil
                return RPCStatus(.internalError, Self.describe(result))
            }
            state.sendBuffer = buffer
            state.sendMetadata = outgoing
            state.continuation = continuation
            return nil
        }
        if let refusal { continuation.resume(returning: .failure(refusal)) }
    }

    /// Cancels the call (the outcome becomes CANCELLED unless it already completed).
    func cancel() {
        state.withLock { state in
            if let call = state.call { _ = grpc_call_cancel(call, nil) }
        }
    }

    override func complete(kind: UInt, success: Bool) {
        let received = status.take()
        let response = ByteBuffers.consume(message.pointee)
        message.pointee = nil
        grpc_metadata_array_destroy(initialMetadata)
        grpc_metadata_array_init(initialMetadata)
        let continuation: UnsafeContinuation<Outcome, Never>? = state.withLock { state in
            if let buffer = state.sendBuffer { grpc_byte_buffer_destroy(buffer) }
            state.sendBuffer = nil
            state.sendMetadata.free()
            if let call = state.call { grpc_call_unref(call) }
            state.call = nil
            let continuation = state.continuation
            state.continuation = nil
            return continuation
        }
        let outcome: Outcome
        if received.code != .ok {
            outcome = .failure(received)
        } else if let response {
            outcome = .success(response)
        } else {
            outcome = .failure(RPCStatus(.internalError, "Server sent no response message"))
        }
        continuation?.resume(returning: outcome)
    }

    static func describe(_ error: grpc_call_error) -> String {
        guard let text = grpc_call_error_to_string(error) else { return "grpc_call_error \(error.rawValue)" }
        return String(cString: text)
    }
}
