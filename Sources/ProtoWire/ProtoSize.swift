/// Encoded sizes, for ``ProtoMessage/serializedSize`` implementations.
public enum ProtoSize {
    /// Bytes needed for `value` as a varint (1...10).
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Bytes for the tag of field `fieldNumber` (any wire type).
    @inlinable
    public static func tag(_ fieldNumber: Int) -> Int {
        varint(UInt64(truncatingIfNeeded: fieldNumber) << 3)
    }

    /// `int32` is sign-extended: a negative value always takes 10 bytes.
    @inlinable
    public static func int32(_ value: Int32) -> Int { varint(UInt64(bitPattern: Int64(value))) }

    @inlinable
    public static func int64(_ value: Int64) -> Int { varint(UInt64(bitPattern: value)) }

    @inlinable
    public static func uint32(_ value: UInt32) -> Int { varint(UInt64(value)) }

    @inlinable
    public static func sint32(_ value: Int32) -> Int { varint(UInt64(ZigZag.encode(value))) }

    @inlinable
    public static func sint64(_ value: Int64) -> Int { varint(ZigZag.encode(value)) }

    @inlinable
    public static func enumValue<E: ProtoEnum>(_ value: E) -> Int { int32(value.rawValue) }

    /// Length prefix plus payload.
    @inlinable
    public static func lengthDelimited(_ payloadCount: Int) -> Int {
        varint(UInt64(payloadCount)) + payloadCount
    }

    @inlinable
    public static func string(_ value: String) -> Int { lengthDelimited(value.utf8.count) }

    @inlinable
    public static func bytes(_ value: [UInt8]) -> Int { lengthDelimited(value.count) }

    @inlinable
    public static func message<M: ProtoMessage>(_ value: M) -> Int { lengthDelimited(value.serializedSize) }

    /// A packed repeated field including its tag; 0 when `values` is empty (nothing is written).
    @inlinable
    public static func packed<T>(_ fieldNumber: Int, _ values: [T], _ elementSize: (T) -> Int) -> Int {
        if values.isEmpty { return 0 }
        var payload = 0
        for value in values { payload += elementSize(value) }
        return tag(fieldNumber) + lengthDelimited(payload)
    }

    /// A packed repeated fixed-width field including its tag; 0 when empty.
    @inlinable
    public static func packedFixed(_ fieldNumber: Int, count: Int, width: Int) -> Int {
        if count == 0 { return 0 }
        return tag(fieldNumber) + lengthDelimited(count * width)
    }
}
