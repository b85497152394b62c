import ProtoWire

// Hand-written conformers, shaped like protogen's output, so ProtoWire is tested without
// depending on FlowerProto.

/// Every scalar kind once, plus a repeated uint64 and a repeated double.
struct Scalars: ProtoMessage, Hashable {
    var u64: UInt64 = 0        // 1 uint64
    var i64: Int64 = 0         // 2 int64
    var i32: Int32 = 0         // 3 int32
    var u32: UInt32 = 0        // 4 uint32
    var s64: Int64 = 0         // 5 sint64
    var s32: Int32 = 0         // 6 sint32
    var flag = false           // 7 bool
    var d: Double = 0          // 8 double
    var f: Float = 0           // 9 float
    var text = ""              // 10 string
    var blob: [UInt8] = []     // 11 bytes
    var fx64: UInt64 = 0       // 12 fixed64
    var fx32: UInt32 = 0       // 13 fixed32
    var many: [UInt64] = []    // 14 repeated uint64
    var doubles: [Double] = [] // 15 repeated double
    var sints: [Int32] = []    // 16 repeated sint32
    var floats: [Float] = []   // 17 repeated float

    init() {}

    mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: u64 = try reader.readUInt64(tag)
            case 2: i64 = try reader.readInt64(tag)
            case 3: i32 = try reader.readInt32(tag)
            case 4: u32 = try reader.readUInt32(tag)
            case 5: s64 = try reader.readSInt64(tag)
            case 6: s32 = try reader.readSInt32(tag)
            case 7: flag = try reader.readBool(tag)
            case 8: d = try reader.readDouble(tag)
            case 9: f = try reader.readFloat(tag)
            case 10: text = try reader.readString(tag)
            case 11: blob = try reader.readBytes(tag)
            case 12: fx64 = try reader.readFixed64(tag)
            case 13: fx32 = try reader.readFixed32(tag)
            case 14: try reader.readRepeatedUInt64(tag, into: &many)
            case 15: try reader.readRepeatedDouble(tag, into: &doubles)
            case 16: try reader.readRepeatedSInt32(tag, into: &sints)
            case 17: try reader.readRepeatedFloat(tag, into: &floats)
            default: try reader.skipField(tag)
            }
        }
    }

    func encodeFields(to writer: inout ProtoWriter) {
        if u64 != 0 { writer.writeUInt64Field(1, u64) }
        if i64 != 0 { writer.writeInt64Field(2, i64) }
        if i32 != 0 { writer.writeInt32Field(3, i32) }
        if u32 != 0 { writer.writeUInt32Field(4, u32) }
        if s64 != 0 { writer.writeSInt64Field(5, s64) }
        if s32 != 0 { writer.writeSInt32Field(6, s32) }
        if flag { writer.writeBoolField(7, flag) }
        if d.bitPattern != 0 { writer.writeDoubleField(8, d) }
        if f.bitPattern != 0 { writer.writeFloatField(9, f) }
        if !text.isEmpty { writer.writeStringField(10, text) }
        if !blob.isEmpty { writer.writeBytesField(11, blob) }
        if fx64 != 0 { writer.writeFixed64Field(12, fx64) }
        if fx32 != 0 { writer.writeFixed32Field(13, fx32) }
        writer.writePackedUInt64Field(14, many)
        writer.writePackedDoubleField(15, doubles)
        writer.writePackedSInt32Field(16, sints)
        writer.writePackedFloatField(17, floats)
    }

    var serializedSize: Int {
        var size = 0
        if u64 != 0 { size += 1 + ProtoSize.varint(u64) }
        if i64 != 0 { size += 1 + ProtoSize.int64(i64) }
        if i32 != 0 { size += 1 + ProtoSize.int32(i32) }
        if u32 != 0 { size += 1 + ProtoSize.uint32(u32) }
        if s64 != 0 { size += 1 + ProtoSize.sint64(s64) }
        if s32 != 0 { size += 1 + ProtoSize.sint32(s32) }
        if flag { size += 2 }
        if d.bitPattern != 0 { size += 9 }
        if f.bitPattern != 0 { size += 5 }
        if !text.isEmpty { size += 1 + ProtoSize.string(text) }
        if !blob.isEmpty { size += 1 + ProtoSize.bytes(blob) }
        if fx64 != 0 { size += 9 }
        if fx32 != 0 { size += 5 }
        size += ProtoSize.packed(14, many) { ProtoSize.varint($0) }
        size += ProtoSize.packedFixed(15, count: doubles.count, width: 8)
        size += ProtoSize.packed(16, sints) { ProtoSize.sint32($0) }
        size += ProtoSize.packedFixed(17, count: floats.count, width: 4)
        return size
    }
}

/// A recursive message like Flower's ObjectTree: `string id = 1; repeated Tree children = 2;`
/// plus a singular `Scalars extra = 3` to test merging.
struct Tree: ProtoMessage, Hashable {
    var id = ""
    var children: [Tree] = []
    var extra: Scalars?

    init() {}

    mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: id = try reader.readString(tag)
            case 2: try reader.readRepeatedMessage(tag, into: &children)
            case 3: try reader.readMessage(tag, into: &extra)
            default: try reader.skipField(tag)
            }
        }
    }

    func encodeFields(to writer: inout ProtoWriter) {
        if !id.isEmpty { writer.writeStringField(1, id) }
        for child in children { writer.writeMessageField(2, child) }
        if let extra { writer.writeMessageField(3, extra) }
    }

    var serializedSize: Int {
        var size = 0
        if !id.isEmpty { size += 1 + ProtoSize.string(id) }
        for child in children { size += 1 + ProtoSize.message(child) }
        if let extra { size += 1 + ProtoSize.message(extra) }
        return size
    }

    /// A chain `depth` sub-messages deep below the root.
    static func chain(depth: Int) -> Tree {
        var tree = Tree()
        tree.id = "leaf"
        for _ in 0 ..< depth {
            var parent = Tree()
            parent.id = "n"
            parent.children = [tree]
            tree = parent
        }
        return tree
    }
}

/// A Python-style open enum.
struct Color: ProtoEnum {
    var rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }
    static let red = Color(rawValue: 0)
    static let blue = Color(rawValue: 2)
}

/// `Color color = 1; repeated Color palette = 2;`
struct Paint: ProtoMessage, Hashable {
    var color = Color.red
    var palette: [Color] = []

    init() {}

    mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: color = try reader.readEnum(tag)
            case 2: try reader.readRepeatedEnum(tag, into: &palette)
            default: try reader.skipField(tag)
            }
        }
    }

    func encodeFields(to writer: inout ProtoWriter) {
        if color.rawValue != 0 { writer.writeEnumField(1, color) }
        writer.writePackedEnumField(2, palette)
    }

    var serializedSize: Int {
        var size = 0
        if color.rawValue != 0 { size += 1 + ProtoSize.enumValue(color) }
        size += ProtoSize.packed(2, palette) { ProtoSize.enumValue($0) }
        return size
    }
}

/// Hex helpers for readable test data.
func hex(_ string: String) -> [UInt8] {
    let digits = string.filter(\.isHexDigit)
    precondition(digits.count % 2 == 0, "odd hex string")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index ..< next], radix: 16)!)
        index = next
    }
    return bytes
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
