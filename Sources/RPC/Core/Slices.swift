import CGRPC

/// Conversions between Swift values and `grpc_slice`s.
enum Slices {
    /// A new slice (+1) holding a copy of `bytes`.
    static func copy(_ bytes: [UInt8]) -> grpc_slice {
        bytes.withUnsafeBytes { raw in
            grpc_slice_from_copied_buffer(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
    }

    /// A new slice (+1) holding a copy of the UTF-8 of `string`.
    static func copy(_ string: String) -> grpc_slice {
        var string = string
        return string.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) {
                grpc_slice_from_copied_buffer($0.baseAddress, $0.count)
            }
        }
    }

    /// Calls `body` with the slice's bytes, valid only inside `body` (an inlined slice stores
    /// them in the struct itself, so they live exactly as long as this copy).
    static func withBytes<R>(_ slice: grpc_slice, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var slice = slice
        return withUnsafePointer(to: &slice) { pointer in
            let length = cgrpc_slice_length(pointer.pointee)
            return body(UnsafeBufferPointer(start: length > 0 ? cgrpc_slice_start(pointer) : nil, count: length))
        }
    }

    /// The slice's bytes, copied.
    static func bytes(_ slice: grpc_slice) -> [UInt8] {
        withBytes(slice) { Array($0) }
    }

    /// The slice's bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    static func string(_ slice: grpc_slice) -> String {
        withBytes(slice) { String(decoding: $0, as: UTF8.self) }
    }
}
