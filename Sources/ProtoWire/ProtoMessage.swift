/// A protobuf message value with a hand-written or generated codec.
///
/// ```swift
/// var run = FlwrRun()
/// run.runID = 5
/// let bytes = run.serializedBytes()
/// let back = try FlwrRun(serializedBytes: bytes)   // throws(ProtoDecodeError)
/// ```
///
/// Conformers implement ``decodeFields(from:)``, ``encodeFields(to:)`` and ``serializedSize``;
/// the byte-level entry points have default implementations.
///
/// Decoding follows proto3: the last value wins for scalars, a sub-message that appears twice
/// is merged into the first, repeated numeric fields are accepted packed and unpacked, and
/// unknown fields are skipped (not preserved).
public protocol ProtoMessage: Sendable, Equatable {
    /// A message with every field at its proto3 default (sub-messages absent).
    init()

    /// Decodes `serializedBytes`; throws on any malformed input.
    init(serializedBytes: [UInt8]) throws(ProtoDecodeError)

    /// The deterministic proto3 encoding: fields in number order, implicit defaults omitted,
    /// repeated numerics packed, map entries sorted by key.
    func serializedBytes() -> [UInt8]

    /// `serializedBytes().count`, computed without encoding.
    var serializedSize: Int { get }

    /// Merges the fields read from `reader`, up to the end of its current scope, into `self`.
    mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodeError)

    /// Appends every present field of `self` to `writer`, in field-number order.
    func encodeFields(to writer: inout ProtoWriter)
}

extension ProtoMessage {
    @inlinable
    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodeError) {
        self.init()
        try bytes.withUnsafeBufferPointer { (buffer) throws(ProtoDecodeError) in
            var reader = ProtoReader(buffer: buffer)
            try self.decodeFields(from: &reader)
        }
    }

    /// Decodes a message from borrowed memory (for example a gRPC byte buffer) without copying
    /// it into an array first.
    @inlinable
    public init(serializedBuffer buffer: UnsafeRawBufferPointer) throws(ProtoDecodeError) {
        self.init()
        let bytes = UnsafeBufferPointer(start: buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), count: buffer.count)
        var reader = ProtoReader(buffer: bytes)
        try self.decodeFields(from: &reader)
    }

    /// Merges the fields encoded in `bytes` into `self` (protobuf `MergeFromString`).
    @inlinable
    public mutating func merge(serializedBytes bytes: [UInt8]) throws(ProtoDecodeError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ProtoDecodeError) in
            var reader = ProtoReader(buffer: buffer)
            try self.decodeFields(from: &reader)
        }
    }

    @inlinable
    public func serializedBytes() -> [UInt8] {
        var writer = ProtoWriter(reservingCapacity: serializedSize)
        encodeFields(to: &writer)
        return writer.bytes
    }
}
