/// The four protobuf wire types proto3 uses. Groups (3, 4) and the reserved values (6, 7)
/// are rejected by ``ProtoReader/readTag()`` and therefore have no case here.
public enum WireType: UInt8, Sendable, Hashable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// A decoded field key: the field number and how its value is encoded.
public struct ProtoTag: Sendable, Hashable {
    /// The field number, in `1...ProtoTag.maximumFieldNumber`.
    public let fieldNumber: Int
    public let wireType: WireType

    /// The largest field number protobuf allows (2^29 - 1).
    public static let maximumFieldNumber = (1 << 29) - 1

    @inlinable
    public init(fieldNumber: Int, wireType: WireType) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
    }
}
