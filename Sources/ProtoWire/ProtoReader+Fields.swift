// Typed field readers used by generated code. Each checks the tag's wire type first, so a
// known field with the wrong encoding is an error rather than garbage.

extension ProtoReader {
    // MARK: Varint scalars

    @inlinable
    public mutating func readUInt64(_ tag: ProtoTag) throws(ProtoDecodeError) -> UInt64 {
        try requireWireType(tag, .varint)
        return try readVarint()
    }

    @inlinable
    public mutating func readInt64(_ tag: ProtoTag) throws(ProtoDecodeError) -> Int64 {
        Int64(bitPattern: try readUInt64(tag))
    }

    /// `int32`: negative values arrive sign-extended to 10 bytes; the low 32 bits are kept.
    @inlinable
    public mutating func readInt32(_ tag: ProtoTag) throws(ProtoDecodeError) -> Int32 {
        Int32(truncatingIfNeeded: try readUInt64(tag))
    }

    @inlinable
    public mutating func readUInt32(_ tag: ProtoTag) throws(ProtoDecodeError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUInt64(tag))
    }

    @inlinable
    public mutating func readSInt64(_ tag: ProtoTag) throws(ProtoDecodeError) -> Int64 {
        ZigZag.decode(try readUInt64(tag))
    }

    @inlinable
    public mutating func readSInt32(_ tag: ProtoTag) throws(ProtoDecodeError) -> Int32 {
        ZigZag.decode(UInt32(truncatingIfNeeded: try readUInt64(tag)))
    }

    @inlinable
    public mutating func readBool(_ tag: ProtoTag) throws(ProtoDecodeError) -> Bool {
        try readUInt64(tag) != 0
    }

    @inlinable
    public mutating func readEnum<E: ProtoEnum>(_ tag: ProtoTag, as type: E.Type = E.self) throws(ProtoDecodeError) -> E {
        E(rawValue: try readInt32(tag))
    }

    // MARK: Fixed-width scalars

    @inlinable
    public mutating func readDouble(_ tag: ProtoTag) throws(ProtoDecodeError) -> Double {
        try requireWireType(tag, .fixed64)
        return Double(bitPattern: try readFixed64())
    }

    @inlinable
    public mutating func readFloat(_ tag: ProtoTag) throws(ProtoDecodeError) -> Float {
        try requireWireType(tag, .fixed32)
        return Float(bitPattern: try readFixed32())
    }

    @inlinable
    public mutating func readFixed64(_ tag: ProtoTag) throws(ProtoDecodeError) -> UInt64 {
        try requireWireType(tag, .fixed64)
        return try readFixed64()
    }

    @inlinable
    public mutating func readFixed32(_ tag: ProtoTag) throws(ProtoDecodeError) -> UInt32 {
        try requireWireType(tag, .fixed32)
        return try readFixed32()
    }

    @inlinable
    public mutating func readSFixed64(_ tag: ProtoTag) throws(ProtoDecodeError) -> Int64 {
        Int64(bitPattern: try readFixed64(tag))
    }

    @inlinable
    public mutating func readSFixed32(_ tag: ProtoTag) throws(ProtoDecodeError) -> Int32 {
        Int32(bitPattern: try readFixed32(tag))
    }

    // MARK: Length-delimited values

    /// A `string` field; invalid UTF-8 is rejected, as Python protobuf does.
    @inlinable
    public mutating func readString(_ tag: ProtoTag) throws(ProtoDecodeError) -> String {
        try requireWireType(tag, .lengthDelimited)
        let payload = try readPayload()
        if payload.isEmpty { return "" }
        guard UTF8Validation.isValid(payload) else { throw .invalidUTF8(fieldNumber: tag.fieldNumber) }
        return String(decoding: payload, as: UTF8.self)
    }

    @inlinable
    public mutating func readBytes(_ tag: ProtoTag) throws(ProtoDecodeError) -> [UInt8] {
        try requireWireType(tag, .lengthDelimited)
        return Array(try readPayload())
    }

    /// Merges a sub-message into `message` (a repeated occurrence merges, per protobuf).
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ tag: ProtoTag, into message: inout M) throws(ProtoDecodeError) {
        let scope = try enterLengthDelimited(tag)
        try message.decodeFields(from: &self)
        exitLengthDelimited(scope)
    }

    /// Merges a sub-message into an optional field, creating it if absent.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ tag: ProtoTag, into message: inout M?) throws(ProtoDecodeError) {
        if message == nil { message = M() }
        try readMessage(tag, into: &message!)
    }

    /// Appends one element of a repeated message field.
    @inlinable
    public mutating func readRepeatedMessage<M: ProtoMessage>(_ tag: ProtoTag, into messages: inout [M]) throws(ProtoDecodeError) {
        var message = M()
        try readMessage(tag, into: &message)
        messages.append(message)
    }

    // MARK: Repeated numerics (packed or not)

    /// One unpacked element, or a whole packed run, of a varint-encoded repeated field.
    @inlinable
    mutating func readRepeatedVarints<T>(
        _ tag: ProtoTag, into values: inout [T], _ convert: (UInt64) -> T
    ) throws(ProtoDecodeError) {
        switch tag.wireType {
        case .varint:
            values.append(convert(try readVarint()))
        case .lengthDelimited:
            let length = try readLength()
            let packedEnd = index + length
            // One element per byte without the continuation bit: reserve exactly that many.
            var count = 0
            for position in index ..< packedEnd where buffer[position] < 0x80 { count += 1 }
            values.reserveCapacity(values.count + count)
            let parentEnd = end
            end = packedEnd
            while index < packedEnd { values.append(convert(try readVarint())) }
            end = parentEnd
        default:
            throw .wireTypeMismatch(fieldNumber: tag.fieldNumber, wireType: tag.wireType)
        }
    }

    /// One unpacked element, or a whole packed run, of a fixed-width repeated field.
    @inlinable
    mutating func readRepeatedFixed<T>(
        _ tag: ProtoTag, into values: inout [T], width: Int,
        _ read: (inout ProtoReader) throws(ProtoDecodeError) -> T
    ) throws(ProtoDecodeError) {
        let elementWireType: WireType = width == 8 ? .fixed64 : .fixed32
        switch tag.wireType {
        case elementWireType:
            values.append(try read(&self))
        case .lengthDelimited:
            let length = try readLength()
            guard length % width == 0 else { throw .malformedPackedField(fieldNumber: tag.fieldNumber) }
            values.reserveCapacity(values.count + length / width)
            let packedEnd = index + length
            while index < packedEnd { values.append(try read(&self)) }
        default:
            throw .wireTypeMismatch(fieldNumber: tag.fieldNumber, wireType: tag.wireType)
        }
    }

    @inlinable
    public mutating func readRepeatedUInt64(_ tag: ProtoTag, into values: inout [UInt64]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { $0 }
    }

    @inlinable
    public mutating func readRepeatedInt64(_ tag: ProtoTag, into values: inout [Int64]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { Int64(bitPattern: $0) }
    }

    @inlinable
    public mutating func readRepeatedInt32(_ tag: ProtoTag, into values: inout [Int32]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { Int32(truncatingIfNeeded: $0) }
    }

    @inlinable
    public mutating func readRepeatedUInt32(_ tag: ProtoTag, into values: inout [UInt32]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { UInt32(truncatingIfNeeded: $0) }
    }

    @inlinable
    public mutating func readRepeatedSInt64(_ tag: ProtoTag, into values: inout [Int64]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { ZigZag.decode($0) }
    }

    @inlinable
    public mutating func readRepeatedSInt32(_ tag: ProtoTag, into values: inout [Int32]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { ZigZag.decode(UInt32(truncatingIfNeeded: $0)) }
    }

    @inlinable
    public mutating func readRepeatedBool(_ tag: ProtoTag, into values: inout [Bool]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { $0 != 0 }
    }

    @inlinable
    public mutating func readRepeatedEnum<E: ProtoEnum>(_ tag: ProtoTag, into values: inout [E]) throws(ProtoDecodeError) {
        try readRepeatedVarints(tag, into: &values) { E(rawValue: Int32(truncatingIfNeeded: $0)) }
    }

    @inlinable
    public mutating func readRepeatedDouble(_ tag: ProtoTag, into values: inout [Double]) throws(ProtoDecodeError) {
        try readRepeatedFixed(tag, into: &values, width: 8) { (reader) throws(ProtoDecodeError) in
            Double(bitPattern: try reader.readFixed64())
        }
    }

    @inlinable
    public mutating func readRepeatedFloat(_ tag: ProtoTag, into values: inout [Float]) throws(ProtoDecodeError) {
        try readRepeatedFixed(tag, into: &values, width: 4) { (reader) throws(ProtoDecodeError) in
            Float(bitPattern: try reader.readFixed32())
        }
    }

    @inlinable
    public mutating func readRepeatedFixed64(_ tag: ProtoTag, into values: inout [UInt64]) throws(ProtoDecodeError) {
        try readRepeatedFixed(tag, into: &values, width: 8) { (reader) throws(ProtoDecodeError) in
            try reader.readFixed64()
        }
    }

    @inlinable
    public mutating func readRepeatedFixed32(_ tag: ProtoTag, into values: inout [UInt32]) throws(ProtoDecodeError) {
        try readRepeatedFixed(tag, into: &values, width: 4) { (reader) throws(ProtoDecodeError) in
            try reader.readFixed32()
        }
    }

    @inlinable
    public mutating func readRepeatedSFixed64(_ tag: ProtoTag, into values: inout [Int64]) throws(ProtoDecodeError) {
        try readRepeatedFixed(tag, into: &values, width: 8) { (reader) throws(ProtoDecodeError) in
            Int64(bitPattern: try reader.readFixed64())
        }
    }

    @inlinable
    public mutating func readRepeatedSFixed32(_ tag: ProtoTag, into values: inout [Int32]) throws(ProtoDecodeError) {
        try readRepeatedFixed(tag, into: &values, width: 4) { (reader) throws(ProtoDecodeError) in
            Int32(bitPattern: try reader.readFixed32())
        }
    }
}
