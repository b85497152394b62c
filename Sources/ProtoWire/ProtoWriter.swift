/// Appends protobuf encodings to a growing byte array.
///
/// Sub-messages are written in one pass: ``beginLengthDelimited(_:)`` reserves a one-byte
/// length, the payload is appended, and ``endLengthDelimited(_:)`` patches the real length in
/// (shifting the payload only when it is 128 bytes or longer). No size is computed twice.
public struct ProtoWriter: Sendable {
    /// Everything written so far.
    @inlinable
    public var bytes: [UInt8] { storage }

    @usableFromInline var storage: [UInt8]

    @inlinable
    public init(reservingCapacity capacity: Int = 0) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    // MARK: Primitive values

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        storage.append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable
    public mutating func writeTag(_ fieldNumber: Int, _ wireType: WireType) {
        writeVarint(UInt64(truncatingIfNeeded: fieldNumber) << 3 | UInt64(wireType.rawValue))
    }

    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        let little = value.littleEndian
        withUnsafeBytes(of: little) { storage.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        let little = value.littleEndian
        withUnsafeBytes(of: little) { storage.append(contentsOf: $0) }
    }

    /// Appends raw bytes (an already-encoded payload).
    @inlinable
    public mutating func writeRawBytes(_ raw: [UInt8]) {
        storage.append(contentsOf: raw)
    }

    /// Appends the UTF-8 of `string` without a length prefix.
    @inlinable
    mutating func writeUTF8(_ string: String) {
        let appended: Void? = string.utf8.withContiguousStorageIfAvailable { storage.append(contentsOf: $0) }
        if appended == nil { storage.append(contentsOf: string.utf8) }
    }

    // MARK: Length-delimited scopes

    /// Where ``endLengthDelimited(_:)`` must patch the length in.
    public struct LengthScope: Sendable {
        @usableFromInline let lengthIndex: Int

        @inlinable
        init(lengthIndex: Int) { self.lengthIndex = lengthIndex }
    }

    /// Writes the tag of length-delimited field `fieldNumber` and opens its payload.
    @inlinable
    public mutating func beginLengthDelimited(_ fieldNumber: Int) -> LengthScope {
        writeTag(fieldNumber, .lengthDelimited)
        let scope = LengthScope(lengthIndex: storage.count)
        storage.append(0)
        return scope
    }

    /// Closes a payload opened by ``beginLengthDelimited(_:)``, writing its length prefix.
    @inlinable
    public mutating func endLengthDelimited(_ scope: LengthScope) {
        let payloadStart = scope.lengthIndex + 1
        precondition(payloadStart <= storage.count, "ProtoWriter scope misuse")
        let length = storage.count - payloadStart
        if length < 0x80 {
            storage[scope.lengthIndex] = UInt8(truncatingIfNeeded: length)
            return
        }
        let prefixSize = ProtoSize.varint(UInt64(length))
        storage.insert(contentsOf: repeatElement(0, count: prefixSize - 1), at: payloadStart)
        var value = UInt64(length)
        var position = scope.lengthIndex
        while value >= 0x80 {
            storage[position] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            position += 1
        }
        storage[position] = UInt8(truncatingIfNeeded: value)
    }
}
