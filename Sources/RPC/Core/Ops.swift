import CGRPC

/// Builders for the `grpc_op`s of a batch. Pointers they take must stay valid until the batch
/// completes (receive targets) or until `grpc_call_start_batch` returns (send arguments).
enum Ops {
    static func sendInitialMetadata(_ metadata: OutgoingMetadata = OutgoingMetadata(Metadata())) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_SEND_INITIAL_METADATA
        op.data.send_initial_metadata.count = metadata.count
        op.data.send_initial_metadata.metadata = metadata.pointer
        return op
    }

    static func sendMessage(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_SEND_MESSAGE
        op.data.send_message.send_message = buffer
        return op
    }

    static func sendCloseFromClient() -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT
        return op
    }

    /// `details` is read during `grpc_call_start_batch` only.
    static func sendStatus(_ code: StatusCode, details: UnsafeMutablePointer<grpc_slice>) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_SEND_STATUS_FROM_SERVER
        op.data.send_status_from_server.trailing_metadata_count = 0
        op.data.send_status_from_server.trailing_metadata = nil
        op.data.send_status_from_server.status = grpc_status_code(rawValue: code.rawValue)
        op.data.send_status_from_server.status_details = details
        return op
    }

    static func receiveInitialMetadata(_ target: UnsafeMutablePointer<grpc_metadata_array>) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_RECV_INITIAL_METADATA
        op.data.recv_initial_metadata.recv_initial_metadata = target
        return op
    }

    static func receiveMessage(_ target: UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_RECV_MESSAGE
        op.data.recv_message.recv_message = target
        return op
    }

    static func receiveStatus(_ status: ReceivedStatusSlots) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_RECV_STATUS_ON_CLIENT
        op.data.recv_status_on_client.trailing_metadata = status.trailingMetadata
        op.data.recv_status_on_client.status = status.code
        op.data.recv_status_on_client.status_details = status.details
        op.data.recv_status_on_client.error_string = status.errorString
        return op
    }

    static func receiveCloseOnServer(_ cancelled: UnsafeMutablePointer<Int32>) -> grpc_op {
        var op = grpc_op()
        op.op = GRPC_OP_RECV_CLOSE_ON_SERVER
        op.data.recv_close_on_server.cancelled = cancelled
        return op
    }

    /// Starts `ops` on `call` with a retained tag of `target`; on refusal gives the retain back.
    static func start(
        _ ops: [grpc_op], on call: OpaquePointer, target: CompletionTarget, kind: UInt
    ) -> grpc_call_error {
        let tag = target.retainedTag(kind: kind)
        let result = ops.withUnsafeBufferPointer { grpc_call_start_batch(call, $0.baseAddress, $0.count, tag, nil) }
        if result != GRPC_CALL_OK { CompletionTarget.releaseTag(tag) }
        return result
    }
}

/// Fixed-address targets of a `RECV_STATUS_ON_CLIENT` op.
struct ReceivedStatusSlots {
    let trailingMetadata: UnsafeMutablePointer<grpc_metadata_array>
    let code: UnsafeMutablePointer<grpc_status_code>
    let details: UnsafeMutablePointer<grpc_slice>
    let errorString: UnsafeMutablePointer<UnsafePointer<CChar>?>
}
