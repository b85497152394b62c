import CGRPC

/// Conversions between `[UInt8]` messages and `grpc_byte_buffer`s.
enum ByteBuffers {
    /// A new raw byte buffer holding a copy of `bytes`; the caller destroys it once the send
    /// completes.
    static func make(_ bytes: [UInt8]) -> UnsafeMutablePointer<grpc_byte_buffer> {
        var slice = Slices.copy(bytes)
        defer { grpc_slice_unref(slice) }  // the buffer took its own reference
        return grpc_raw_byte_buffer_create(&slice, 1)
    }

    /// The buffer's message bytes (decompressed if needed), or `nil` if the core cannot read it.
    static func read(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>) -> [UInt8]? {
        var reader = grpc_byte_buffer_reader()
        guard grpc_byte_buffer_reader_init(&reader, buffer) != 0 else { return nil }
        defer { grpc_byte_buffer_reader_destroy(&reader) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(grpc_byte_buffer_length(buffer))
        var slice = grpc_slice()
        while grpc_byte_buffer_reader_next(&reader, &slice) != 0 {
            Slices.withBytes(slice) { bytes.append(contentsOf: $0) }
            grpc_slice_unref(slice)
        }
        return bytes
    }

    /// Reads then destroys a received buffer; `nil` buffer (end of stream) gives `nil`.
    static func consume(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>?) -> [UInt8]? {
        guard let buffer else { return nil }
        defer { grpc_byte_buffer_destroy(buffer) }
        return read(buffer) ?? []
    }
}
