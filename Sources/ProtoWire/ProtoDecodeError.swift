/// Why a byte string could not be decoded as a protobuf message.
///
/// Every malformed or hostile input maps to one of these cases; the decoder never traps,
/// never reads out of bounds, and never allocates more than the input can justify.
public enum ProtoDecodeError: Error, Sendable, Hashable {
    /// The input ended inside a tag, varint, fixed-width value or length-delimited payload.
    case truncated
    /// A varint ran past the 10-byte maximum (its 10th byte still had the continuation bit).
    case malformedVarint
    /// A length prefix is larger than the bytes remaining in the enclosing message.
    case lengthExceedsInput
    /// A tag carried wire type 3 or 4 (groups, unsupported in proto3) or the reserved 6 or 7.
    case invalidWireType(UInt8)
    /// A tag carried field number 0, or a number beyond 2^29 - 1.
    case invalidFieldNumber
    /// A known field arrived with a wire type its declared type cannot use.
    case wireTypeMismatch(fieldNumber: Int, wireType: WireType)
    /// A packed repeated fixed-width field's payload is not a multiple of the element width.
    case malformedPackedField(fieldNumber: Int)
    /// A `string` field held bytes that are not valid UTF-8.
    case invalidUTF8(fieldNumber: Int)
    /// Sub-messages nested deeper than ``ProtoReader/maximumDepth``.
    case nestingTooDeep
}

extension ProtoDecodeError: CustomStringConvertible {
    /// A short reason for status details (no Swift type names).
    public var description: String {
        switch self {
        case .truncated: "input ends inside a value"
        case .malformedVarint: "varint longer than 10 bytes"
        case .lengthExceedsInput: "length prefix exceeds the input"
        case .invalidWireType(let bits): "invalid wire type \(bits)"
        case .invalidFieldNumber: "invalid field number"
        case .wireTypeMismatch(let field, let wireType): "field \(field) has the wrong wire type (\(wireType))"
        case .malformedPackedField(let field): "packed field \(field) is not a whole number of elements"
        case .invalidUTF8(let field): "field \(field) is not valid UTF-8"
        case .nestingTooDeep: "messages nested too deeply"
        }
    }
}
