/// A bounds-checked cursor over protobuf bytes.
///
/// A reader is only ever handed out by ``ProtoMessage``'s decoding entry points and is valid
/// only for the duration of that call: it borrows the caller's buffer and must not escape.
///
/// Invariant (what makes the unchecked buffer accesses safe): `0 <= index <= end <=
/// buffer.count` at all times. Every read first checks that the bytes it needs lie before
/// `end`; nested scopes only ever shrink `end` to a range already validated.
public struct ProtoReader {
    /// Sub-messages may nest at most this deep (the outermost message is depth 0). Matches
    /// Python protobuf's default recursion limit, so the same inputs are accepted.
    public static let maximumDepth = 100

    @usableFromInline let buffer: UnsafeBufferPointer<UInt8>
    @usableFromInline var index: Int
    @usableFromInline var end: Int
    @usableFromInline var depth: Int

    @inlinable
    init(buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
        self.index = 0
        self.end = buffer.count
        self.depth = 0
    }

    /// Runs `body` with a reader over `bytes`, for code that decodes without a
    /// ``ProtoMessage`` conformance (the descriptor reader in protogen, tests).
    @inlinable
    public static func withReader<Result>(
        over bytes: [UInt8], _ body: (inout ProtoReader) throws(ProtoDecodeError) -> Result
    ) throws(ProtoDecodeError) -> Result {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ProtoDecodeError) in
            var reader = ProtoReader(buffer: buffer)
            return try body(&reader)
        }
    }

    /// True when the current scope (message or nested message) has no bytes left.
    @inlinable
    public var isAtEnd: Bool { index >= end }

    /// Bytes left in the current scope.
    @inlinable
    public var remainingCount: Int { end - index }

    // MARK: Tags

    /// The next field's tag, or `nil` at the end of the current scope.
    @inlinable
    public mutating func readTag() throws(ProtoDecodeError) -> ProtoTag? {
        guard index < end else { return nil }
        let first = buffer[index]
        let raw: UInt64
        if first < 0x80 {
            index += 1
            raw = UInt64(first)
        } else {
            raw = try readVarint()
            guard raw <= UInt64(UInt32.max) else { throw .invalidFieldNumber }
        }
        let fieldNumber = Int(truncatingIfNeeded: raw >> 3)
        guard fieldNumber != 0 else { throw .invalidFieldNumber }
        let wireBits = UInt8(truncatingIfNeeded: raw & 7)
        guard let wireType = WireType(rawValue: wireBits) else { throw .invalidWireType(wireBits) }
        return ProtoTag(fieldNumber: fieldNumber, wireType: wireType)
    }

    /// Throws ``ProtoDecodeError/wireTypeMismatch(fieldNumber:wireType:)`` unless `tag` uses
    /// `expected`.
    @inlinable
    public func requireWireType(_ tag: ProtoTag, _ expected: WireType) throws(ProtoDecodeError) {
        guard tag.wireType == expected else {
            throw .wireTypeMismatch(fieldNumber: tag.fieldNumber, wireType: tag.wireType)
        }
    }

    /// Skips the value of a field this message does not know.
    @inlinable
    public mutating func skipField(_ tag: ProtoTag) throws(ProtoDecodeError) {
        switch tag.wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            guard end - index >= 8 else { throw .truncated }
            index += 8
        case .fixed32:
            guard end - index >= 4 else { throw .truncated }
            index += 4
        case .lengthDelimited:
            let length = try readLength()
            index += length
        }
    }

    // MARK: Primitive values

    /// A base-128 varint of at most 10 bytes. Bits beyond 64 in the 10th byte are dropped,
    /// as every protobuf implementation does.
    @inlinable
    public mutating func readVarint() throws(ProtoDecodeError) -> UInt64 {
        guard index < end else { throw .truncated }
        var byte = buffer[index]
        if byte < 0x80 {
            index += 1
            return UInt64(byte)
        }
        var result = UInt64(byte & 0x7F)
        var shift: UInt64 = 7
        var position = index + 1
        while true {
            guard position < end else { throw .truncated }
            byte = buffer[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                index = position
                return result
            }
            shift += 7
            if shift >= 70 { throw .malformedVarint }
        }
    }

    @inlinable
    public mutating func readFixed32() throws(ProtoDecodeError) -> UInt32 {
        guard end - index >= 4, let base = buffer.baseAddress else { throw .truncated }
        let value = UnsafeRawPointer(base + index).loadUnaligned(as: UInt32.self)
        index += 4
        return UInt32(littleEndian: value)
    }

    @inlinable
    public mutating func readFixed64() throws(ProtoDecodeError) -> UInt64 {
        guard end - index >= 8, let base = buffer.baseAddress else { throw .truncated }
        let value = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        index += 8
        return UInt64(littleEndian: value)
    }

    /// A length prefix, validated against the bytes left in the current scope before anyone
    /// allocates for it.
    @inlinable
    mutating func readLength() throws(ProtoDecodeError) -> Int {
        let raw = try readVarint()
        guard raw <= UInt64(end - index) else { throw .lengthExceedsInput }
        return Int(truncatingIfNeeded: raw)
    }

    /// The payload of a length-delimited value, as a view into the borrowed buffer.
    @inlinable
    mutating func readPayload() throws(ProtoDecodeError) -> UnsafeBufferPointer<UInt8> {
        let length = try readLength()
        let payload = UnsafeBufferPointer(rebasing: buffer[index ..< index + length])
        index += length
        return payload
    }

    // MARK: Nested scopes

    /// What ``exitLengthDelimited(_:)`` needs to restore the enclosing scope.
    public struct NestedScope {
        @usableFromInline let parentEnd: Int

        @inlinable
        init(parentEnd: Int) { self.parentEnd = parentEnd }
    }

    /// Narrows the reader to the payload of the length-delimited field `tag` (a sub-message
    /// or map entry). Pair with ``exitLengthDelimited(_:)``.
    @inlinable
    public mutating func enterLengthDelimited(_ tag: ProtoTag) throws(ProtoDecodeError) -> NestedScope {
        try requireWireType(tag, .lengthDelimited)
        guard depth < Self.maximumDepth else { throw .nestingTooDeep }
        let length = try readLength()
        let scope = NestedScope(parentEnd: end)
        end = index + length
        depth += 1
        return scope
    }

    /// Leaves a scope opened by ``enterLengthDelimited(_:)``, skipping whatever of it is
    /// unread.
    @inlinable
    public mutating func exitLengthDelimited(_ scope: NestedScope) {
        // A scope from another reader (or exited twice) must not widen the readable range.
        precondition(scope.parentEnd >= end && scope.parentEnd <= buffer.count && depth > 0,
                     "ProtoReader scope misuse")
        index = end
        end = scope.parentEnd
        depth -= 1
    }
}
