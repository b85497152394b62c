import CGRPC
import Synchronization

/// One server-side call, from `grpc_server_request_call` to `grpc_call_unref`.
///
/// Life cycle (all completions arrive on the server's completion-queue thread):
/// 1. `accepted`: the core matched a new call. We start `RECV_CLOSE_ON_SERVER` (it completes
///    when the call is over, with `cancelled=1` on client cancel or deadline) and, for a known
///    method, `RECV_MESSAGE`; for an unknown one we answer `UNIMPLEMENTED`.
/// 2. `receivedMessage`: the handler starts in its own Task.
/// 3. The handler's sends (`messageSent`) and the final status (`statusSent`) are batches
///    started from that Task; they never overlap: a send starts under `state`'s lock, and the final
///    status only after claiming `statusStarted` there (see `finish`).
/// 4. Once closed and no batch is outstanding, the C call is released. A cancelled call is
///    released without waiting for its handler, whose later sends then fail; so shutdown never
///    depends on handlers honouring cancellation.
///
/// `@unchecked Sendable`: C storage (`slots`) is written by the core only while a batch that
/// targets it is outstanding and read on the completion that ends it; `state` guards the rest.
final class ServerCall: CompletionTarget, @unchecked Sendable {
    enum Kind: UInt {
        case accepted, receivedMessage, closed, messageSent, statusSent
    }

    /// `@unchecked Sendable`: only ever touched under `state`'s lock.
    private struct State: @unchecked Sendable {
        /// The C call, from acceptance until release.
        var call: OpaquePointer?
        var outstandingBatches = 0
        var closed = false
        var cancelled = false
        var initialMetadataSent = false
        var statusStarted = false
        var handler: (MethodHandler, ServerCallContext)?
        var task: Task<Void, Never>?
        var pendingSend: UnsafeContinuation<Void, any Error>?
        var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
        var statusBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
    }

    private let core: ServerCore
    private var block: SlotBlock
    private let callSlot: UnsafeMutablePointer<OpaquePointer?>
    private let details: UnsafeMutablePointer<grpc_call_details>
    private let requestMetadata: UnsafeMutablePointer<grpc_metadata_array>
    private let message: UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>
    private let cancelledFlag: UnsafeMutablePointer<Int32>
    private let state = Mutex(State())

    private static let blockBytes =
        SlotBlock.bytes(for: OpaquePointer?.self) + SlotBlock.bytes(for: grpc_call_details.self)
        + SlotBlock.bytes(for: grpc_metadata_array.self)
        + SlotBlock.bytes(for: UnsafeMutablePointer<grpc_byte_buffer>?.self) + SlotBlock.bytes(for: Int32.self)

    init(core: ServerCore) {
        self.core = core
        block = SlotBlock(capacity: Self.blockBytes)
        callSlot = block.slot(nil)
        details = block.slot(grpc_call_details())
        requestMetadata = block.slot(grpc_metadata_array())
        message = block.slot(nil)
        cancelledFlag = block.slot(0)
        grpc_call_details_init(details)
        grpc_metadata_array_init(requestMetadata)
    }

    deinit {
        // The metadata array's elements belong to the (released) call; only the array is ours.
        grpc_metadata_array_destroy(requestMetadata)
        grpc_call_details_destroy(details)
        if let buffer = message.pointee { grpc_byte_buffer_destroy(buffer) }
        block.deallocate()
    }

    /// Asks the core for the next incoming call on `server`.
    func request(on server: OpaquePointer, queue: OpaquePointer) -> grpc_call_error {
        let tag = retainedTag(kind: Kind.accepted.rawValue)
        let result = grpc_server_request_call(server, callSlot, details, requestMetadata, queue, queue, tag)
        if result != GRPC_CALL_OK { CompletionTarget.releaseTag(tag) }
        return result
    }

    override func complete(kind: UInt, success: Bool) {
        switch Kind(rawValue: kind)! {
        case .accepted: accepted(success: success)
        case .receivedMessage: receivedMessage(success: success)
        case .closed: closed()
        case .messageSent: messageSent(success: success)
        case .statusSent: statusSent()
        }
    }

    // MARK: Completions (completion-queue thread)

    private func accepted(success: Bool) {
        guard success, let call = callSlot.pointee else { return }  // shutting down
        core.callAccepted()
        let method = Slices.string(details.pointee.method)
        let context = ServerCallContext(
            method: method,
            metadata: Metadata(received: requestMetadata.pointee),
            deadline: Timespecs.instant(of: details.pointee.deadline),
            peer: Self.peer(of: call))
        let handler = core.handler(for: method)
        let released: Bool = state.withLock { state in
            state.call = call
            if Ops.start([Ops.receiveCloseOnServer(cancelledFlag)], on: call, target: self, kind: Kind.closed.rawValue)
                == GRPC_CALL_OK
            {
                state.outstandingBatches += 1
            } else {
                // Never expected; without a close notification nobody would release the call.
                state.closed = true
            }
            if let handler {
                state.handler = (handler, context)
                if Ops.start([Ops.receiveMessage(message)], on: call, target: self, kind: Kind.receivedMessage.rawValue)
                    == GRPC_CALL_OK
                {
                    state.outstandingBatches += 1
                } else {
                    state.handler = nil
                    sendStatusLocked(&state, RPCStatus(.internalError, "Failed to read request"), message: nil)
                }
            } else {
                sendStatusLocked(&state, RPCStatus(.unimplemented, "Method not found!"), message: nil)
            }
            return releaseIfDoneLocked(&state)
        }
        if released { core.callReleased() }
    }

    private func receivedMessage(success: Bool) {
        let request = ByteBuffers.consume(message.pointee)
        message.pointee = nil
        var start: (MethodHandler, ServerCallContext)?
        let released: Bool = state.withLock { state in
            state.outstandingBatches -= 1
            let handler = state.handler
            state.handler = nil
            if success, request != nil, !state.cancelled, state.call != nil {
                start = handler
            } else if !state.cancelled {
                sendStatusLocked(&state, RPCStatus(.internalError, "Missing request message"), message: nil)
            }
            return releaseIfDoneLocked(&state)
        }
        if released { core.callReleased() }
        guard let (handler, context) = start, let request else { return }

        core.handlerStarted()
        let task = Task { [self] in
            await run(handler, request: request, context: context)
            core.handlerFinished()
        }
        let cancelNow = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    private func closed() {
        var taskToCancel: Task<Void, Never>?
        let released: Bool = state.withLock { state in
            state.outstandingBatches -= 1
            state.closed = true
            if cancelledFlag.pointee != 0 {
                state.cancelled = true
                taskToCancel = state.task
            }
            return releaseIfDoneLocked(&state)
        }
        taskToCancel?.cancel()
        if released { core.callReleased() }
    }

    private func messageSent(success: Bool) {
        var continuation: UnsafeContinuation<Void, any Error>?
        let released: Bool = state.withLock { state in
            state.outstandingBatches -= 1
            if let buffer = state.sendBuffer { grpc_byte_buffer_destroy(buffer) }
            state.sendBuffer = nil
            continuation = state.pendingSend
            state.pendingSend = nil
            return releaseIfDoneLocked(&state)
        }
        if released { core.callReleased() }
        if success {
            continuation?.resume()
        } else {
            continuation?.resume(throwing: RPCStatus(.cancelled, "Call cancelled"))
        }
    }

    private func statusSent() {
        let released: Bool = state.withLock { state in
            state.outstandingBatches -= 1
            if let buffer = state.statusBuffer { grpc_byte_buffer_destroy(buffer) }
            state.statusBuffer = nil
            return releaseIfDoneLocked(&state)
        }
        if released { core.callReleased() }
    }

    // MARK: Handler side (its Task)

    private func run(_ handler: MethodHandler, request: [UInt8], context: ServerCallContext) async {
        switch handler {
        case .unary(let body):
            do {
                let response = try await body(request, context)
                finish(.init(.ok), message: response)
            } catch {
                finish(RPCStatus(handlerError: error), message: nil)
            }
        case .serverStreaming(let body):
            do {
                try await body(request, context, ServerStreamWriter(call: self))
                finish(.init(.ok), message: nil)
            } catch {
                finish(RPCStatus(handlerError: error), message: nil)
            }
        }
    }

    /// Sends the final status (with `message` first, for unary calls).
    ///
    /// The batch is started *outside* the call's lock (unlike `sendStatusLocked`): starting it
    /// usually writes the response to the socket inline, and meanwhile the completion-queue thread
    /// wants that same lock for this call's `closed`/`statusSent` events — under load it spun on
    /// it (about 5% of its time). Claiming the status and counting the batch as outstanding under
    /// the lock keeps the rules: only one status is ever started, nothing else starts a send once
    /// `statusStarted` is set, and the call cannot be released (so `call` stays valid) while the
    /// batch is counted.
    private func finish(_ status: RPCStatus, message bytes: [UInt8]?) {
        let buffer = bytes.map(ByteBuffers.make)
        let claimed: (call: OpaquePointer, sendsInitialMetadata: Bool)? = state.withLock { state in
            guard let call = state.call, !state.statusStarted, !state.cancelled else { return nil }
            state.statusStarted = true
            let first = !state.initialMetadataSent
            state.initialMetadataSent = true
            state.outstandingBatches += 1
            state.statusBuffer = buffer
            return (call, first)
        }
        guard let claimed else {
            if let buffer { grpc_byte_buffer_destroy(buffer) }
            return
        }
        var details = Slices.copy(status.message)
        defer { grpc_slice_unref(details) }  // the core does not keep the pointer past start_batch
        var ops: [grpc_op] = []
        if claimed.sendsInitialMetadata { ops.append(Ops.sendInitialMetadata()) }
        if let buffer { ops.append(Ops.sendMessage(buffer)) }
        let result = withUnsafeMutablePointer(to: &details) { detailsPointer in
            ops.append(Ops.sendStatus(status.code, details: detailsPointer))
            return Ops.start(ops, on: claimed.call, target: self, kind: Kind.statusSent.rawValue)
        }
        guard result != GRPC_CALL_OK else { return }
        let released: Bool = state.withLock { state in
            state.outstandingBatches -= 1
            if let buffer = state.statusBuffer { grpc_byte_buffer_destroy(buffer) }
            state.statusBuffer = nil
            grpc_call_cancel(claimed.call, nil)  // the close notification then releases the call
            return releaseIfDoneLocked(&state)
        }
        if released { core.callReleased() }
    }

    /// Sends one streamed message and waits until the core took it (one send outstanding at a
    /// time, which is what gives the stream its flow control).
    func send(_ bytes: [UInt8]) async throws {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            let refusal: RPCStatus? = state.withLock { state in
                guard let call = state.call, !state.cancelled, !state.statusStarted else {
                    return RPCStatus(.cancelled, "Call already ended")
                }
                guard state.pendingSend == nil else {
                    return RPCStatus(.failedPrecondition, "Another send is still in progress")
                }
                let buffer = ByteBuffers.make(bytes)
                var ops: [grpc_op] = []
                if !state.initialMetadataSent { ops.append(Ops.sendInitialMetadata()) }
                ops.append(Ops.sendMessage(buffer))
                guard Ops.start(ops, on: call, target: self, kind: Kind.messageSent.rawValue) == GRPC_CALL_OK else {
                    grpc_byte_buffer_destroy(buffer)
                    return RPCStatus(.internalError, "Failed to send message")
                }
                state.initialMetadataSent = true
                state.outstandingBatches += 1
                state.sendBuffer = buffer
                state.pendingSend = continuation
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) }
        }
    }

    // MARK: Helpers (state lock held)

    private func sendStatusLocked(_ state: inout State, _ status: RPCStatus, message bytes: [UInt8]?) {
        guard let call = state.call, !state.statusStarted, !state.cancelled else { return }
        state.statusStarted = true
        var details = Slices.copy(status.message)
        defer { grpc_slice_unref(details) }  // the core does not keep the pointer past start_batch
        let buffer = bytes.map(ByteBuffers.make)
        var ops: [grpc_op] = []
        if !state.initialMetadataSent { ops.append(Ops.sendInitialMetadata()) }
        if let buffer { ops.append(Ops.sendMessage(buffer)) }
        let result = withUnsafeMutablePointer(to: &details) { detailsPointer in
            ops.append(Ops.sendStatus(status.code, details: detailsPointer))
            return Ops.start(ops, on: call, target: self, kind: Kind.statusSent.rawValue)
        }
        guard result == GRPC_CALL_OK else {
            if let buffer { grpc_byte_buffer_destroy(buffer) }
            grpc_call_cancel(call, nil)  // the close notification then releases the call
            return
        }
        state.initialMetadataSent = true
        state.outstandingBatches += 1
        state.statusBuffer = buffer
    }

    /// Releases the C call once it is closed and no batch is outstanding; true if it did.
    private func releaseIfDoneLocked(_ state: inout State) -> Bool {
        guard state.closed, state.outstandingBatches == 0, let call = state.call else { return false }
        grpc_call_unref(call)
        state.call = nil
        return true
    }

    private static func peer(of call: OpaquePointer) -> String {
        guard let peer = grpc_call_get_peer(call) else { return "" }
        defer { gpr_free(peer) }
        return String(cString: peer)
    }
}
