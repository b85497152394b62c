import CGRPC

extension ReceivedStatusSlots {
    static var blockBytes: Int {
        SlotBlock.bytes(for: grpc_metadata_array.self) + SlotBlock.bytes(for: grpc_status_code.self)
            + SlotBlock.bytes(for: grpc_slice.self) + SlotBlock.bytes(for: UnsafePointer<CChar>?.self)
    }

    /// Carves the status targets out of `block`.
    init(in block: inout SlotBlock) {
        trailingMetadata = block.slot(grpc_metadata_array())
        code = block.slot(GRPC_STATUS_UNKNOWN)
        details = block.slot(grpc_empty_slice())
        errorString = block.slot(nil)
        grpc_metadata_array_init(trailingMetadata)
    }

    /// The received status; frees what the core handed over (details, error string, trailers).
    func take() -> RPCStatus {
        let status = RPCStatus(StatusCode(rawValue: Int32(code.pointee.rawValue)), Slices.string(details.pointee))
        grpc_slice_unref(details.pointee)
        details.pointee = grpc_empty_slice()
        if let error = errorString.pointee {
            gpr_free(UnsafeMutableRawPointer(mutating: error))
            errorString.pointee = nil
        }
        grpc_metadata_array_destroy(trailingMetadata)
        grpc_metadata_array_init(trailingMetadata)
        return status
    }

    /// Frees the trailers array (call from the owner's deinit).
    func destroy() {
        grpc_metadata_array_destroy(trailingMetadata)
    }
}
