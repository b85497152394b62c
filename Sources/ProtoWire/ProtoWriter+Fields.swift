// Typed field writers used by generated code: each writes the tag and the value. They never
// skip defaults; deciding what is present is the caller's job (proto3 implicit presence,
// `optional`, oneof and sub-message presence differ).

extension ProtoWriter {
    // MARK: Varint scalars

    @inlinable
    public mutating func writeUInt64Field(_ fieldNumber: Int, _ value: UInt64) {
        writeTag(fieldNumber, .varint)
        writeVarint(value)
    }

    @inlinable
    public mutating func writeInt64Field(_ fieldNumber: Int, _ value: Int64) {
        writeUInt64Field(fieldNumber, UInt64(bitPattern: value))
    }

    /// `int32` is sign-extended to 64 bits on the wire (negative values take 10 bytes).
    @inlinable
    public mutating func writeInt32Field(_ fieldNumber: Int, _ value: Int32) {
        writeUInt64Field(fieldNumber, UInt64(bitPattern: Int64(value)))
    }

    @inlinable
    public mutating func writeUInt32Field(_ fieldNumber: Int, _ value: UInt32) {
        writeUInt64Field(fieldNumber, UInt64(value))
    }

    @inlinable
    public mutating func writeSInt64Field(_ fieldNumber: Int, _ value: Int64) {
        writeUInt64Field(fieldNumber, ZigZag.encode(value))
    }

    @inlinable
    public mutating func writeSInt32Field(_ fieldNumber: Int, _ value: Int32) {
        writeUInt64Field(fieldNumber, UInt64(ZigZag.encode(value)))
    }

    @inlinable
    public mutating func writeBoolField(_ fieldNumber: Int, _ value: Bool) {
        writeUInt64Field(fieldNumber, value ? 1 : 0)
    }

    @inlinable
    public mutating func writeEnumField<E: ProtoEnum>(_ fieldNumber: Int, _ value: E) {
        writeInt32Field(fieldNumber, value.rawValue)
    }

    // MARK: Fixed-width scalars

    @inlinable
    public mutating func writeDoubleField(_ fieldNumber: Int, _ value: Double) {
        writeTag(fieldNumber, .fixed64)
        writeFixed64(value.bitPattern)
    }

    @inlinable
    public mutating func writeFloatField(_ fieldNumber: Int, _ value: Float) {
        writeTag(fieldNumber, .fixed32)
        writeFixed32(value.bitPattern)
    }

    @inlinable
    public mutating func writeFixed64Field(_ fieldNumber: Int, _ value: UInt64) {
        writeTag(fieldNumber, .fixed64)
        writeFixed64(value)
    }

    @inlinable
    public mutating func writeFixed32Field(_ fieldNumber: Int, _ value: UInt32) {
        writeTag(fieldNumber, .fixed32)
        writeFixed32(value)
    }

    @inlinable
    public mutating func writeSFixed64Field(_ fieldNumber: Int, _ value: Int64) {
        writeFixed64Field(fieldNumber, UInt64(bitPattern: value))
    }

    @inlinable
    public mutating func writeSFixed32Field(_ fieldNumber: Int, _ value: Int32) {
        writeFixed32Field(fieldNumber, UInt32(bitPattern: value))
    }

    // MARK: Length-delimited values

    @inlinable
    public mutating func writeStringField(_ fieldNumber: Int, _ value: String) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(value.utf8.count))
        writeUTF8(value)
    }

    @inlinable
    public mutating func writeBytesField(_ fieldNumber: Int, _ value: [UInt8]) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(value.count))
        writeRawBytes(value)
    }

    /// A sub-message, always written when called: a present empty message is `tag 00`.
    @inlinable
    public mutating func writeMessageField<M: ProtoMessage>(_ fieldNumber: Int, _ value: M) {
        let scope = beginLengthDelimited(fieldNumber)
        value.encodeFields(to: &self)
        endLengthDelimited(scope)
    }

    // MARK: Packed repeated numerics (nothing is written for an empty array)

    @inlinable
    mutating func writePackedVarints<T>(
        _ fieldNumber: Int, _ values: [T], _ toVarint: (T) -> UInt64
    ) {
        if values.isEmpty { return }
        var payload = 0
        for value in values { payload += ProtoSize.varint(toVarint(value)) }
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(payload))
        for value in values { writeVarint(toVarint(value)) }
    }

    @inlinable
    mutating func writePackedFixed<T>(_ fieldNumber: Int, _ values: [T], width: Int, _ toBits: (T) -> UInt64) {
        if values.isEmpty { return }
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(values.count * width))
        #if _endian(little)
        // Same-width IEEE/integer elements are already in wire order in memory.
        if MemoryLayout<T>.size == width {
            values.withUnsafeBytes { storage.append(contentsOf: $0) }
            return
        }
        #endif
        for value in values {
            if width == 8 { writeFixed64(toBits(value)) } else { writeFixed32(UInt32(truncatingIfNeeded: toBits(value))) }
        }
    }

    @inlinable
    public mutating func writePackedUInt64Field(_ fieldNumber: Int, _ values: [UInt64]) {
        writePackedVarints(fieldNumber, values) { $0 }
    }

    @inlinable
    public mutating func writePackedInt64Field(_ fieldNumber: Int, _ values: [Int64]) {
        writePackedVarints(fieldNumber, values) { UInt64(bitPattern: $0) }
    }

    @inlinable
    public mutating func writePackedInt32Field(_ fieldNumber: Int, _ values: [Int32]) {
        writePackedVarints(fieldNumber, values) { UInt64(bitPattern: Int64($0)) }
    }

    @inlinable
    public mutating func writePackedUInt32Field(_ fieldNumber: Int, _ values: [UInt32]) {
        writePackedVarints(fieldNumber, values) { UInt64($0) }
    }

    @inlinable
    public mutating func writePackedSInt64Field(_ fieldNumber: Int, _ values: [Int64]) {
        writePackedVarints(fieldNumber, values) { ZigZag.encode($0) }
    }

    @inlinable
    public mutating func writePackedSInt32Field(_ fieldNumber: Int, _ values: [Int32]) {
        writePackedVarints(fieldNumber, values) { UInt64(ZigZag.encode($0)) }
    }

    @inlinable
    public mutating func writePackedBoolField(_ fieldNumber: Int, _ values: [Bool]) {
        writePackedVarints(fieldNumber, values) { $0 ? 1 : 0 }
    }

    @inlinable
    public mutating func writePackedEnumField<E: ProtoEnum>(_ fieldNumber: Int, _ values: [E]) {
        writePackedVarints(fieldNumber, values) { UInt64(bitPattern: Int64($0.rawValue)) }
    }

    @inlinable
    public mutating func writePackedDoubleField(_ fieldNumber: Int, _ values: [Double]) {
        writePackedFixed(fieldNumber, values, width: 8) { $0.bitPattern }
    }

    @inlinable
    public mutating func writePackedFloatField(_ fieldNumber: Int, _ values: [Float]) {
        writePackedFixed(fieldNumber, values, width: 4) { UInt64($0.bitPattern) }
    }

    @inlinable
    public mutating func writePackedFixed64Field(_ fieldNumber: Int, _ values: [UInt64]) {
        writePackedFixed(fieldNumber, values, width: 8) { $0 }
    }

    @inlinable
    public mutating func writePackedFixed32Field(_ fieldNumber: Int, _ values: [UInt32]) {
        writePackedFixed(fieldNumber, values, width: 4) { UInt64($0) }
    }

    @inlinable
    public mutating func writePackedSFixed64Field(_ fieldNumber: Int, _ values: [Int64]) {
        writePackedFixed(fieldNumber, values, width: 8) { UInt64(bitPattern: $0) }
    }

    @inlinable
    public mutating func writePackedSFixed32Field(_ fieldNumber: Int, _ values: [Int32]) {
        writePackedFixed(fieldNumber, values, width: 4) { UInt64(UInt32(bitPattern: $0)) }
    }
}
