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

    /// The slice's bytes, copied.
    static func bytes(_ slice: grpc_slice) -> [UInt8] {
        let length = cgrpc_slice_length(slice)
        guard length > 0, let start = cgrpc_slice_start(slice) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: length))
    }

    /// The slice's bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    static func string(_ slice: grpc_slice) -> String {
        let length = cgrpc_slice_length(slice)
        guard length > 0, let start = cgrpc_slice_start(slice) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
    }
}
