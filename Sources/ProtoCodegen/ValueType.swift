/// The Swift side of one proto value type: how it is declared, defaulted, read, written and
/// sized. Generated code is built from these snippets.
enum ValueType {
    case scalar(FieldDescriptor.Kind)
    case enumeration(swiftName: String, zeroCase: String?)
    case message(swiftName: String)

    var swiftType: String {
        switch self {
        case .scalar(let kind):
            switch kind {
            case .double: "Double"
            case .float: "Float"
            case .int64, .sint64, .sfixed64: "Int64"
            case .uint64, .fixed64: "UInt64"
            case .int32, .sint32, .sfixed32: "Int32"
            case .uint32, .fixed32: "UInt32"
            case .bool: "Bool"
            case .string: "String"
            case .bytes: "[UInt8]"
            case .group, .message, .enum: "Never"
            }
        case .enumeration(let name, _): name
        case .message(let name): name
        }
    }

    /// The proto3 default, as a Swift expression.
    var defaultValue: String {
        switch self {
        case .scalar(let kind):
            switch kind {
            case .bool: "false"
            case .string: "\"\""
            case .bytes: "[]"
            default: "0"
            }
        case .enumeration(let name, let zeroCase): zeroCase.map { ".\($0)" } ?? "\(name)(rawValue: 0)"
        case .message(let name): "\(name)()"
        }
    }

    /// The `ProtoReader`/`ProtoWriter` method stem: `readX`, `writeXField`, `readRepeatedX`.
    private var stem: String {
        switch self {
        case .scalar(let kind):
            switch kind {
            case .double: "Double"
            case .float: "Float"
            case .int64: "Int64"
            case .uint64: "UInt64"
            case .int32: "Int32"
            case .fixed64: "Fixed64"
            case .fixed32: "Fixed32"
            case .bool: "Bool"
            case .string: "String"
            case .bytes: "Bytes"
            case .uint32: "UInt32"
            case .sfixed32: "SFixed32"
            case .sfixed64: "SFixed64"
            case .sint32: "SInt32"
            case .sint64: "SInt64"
            case .group, .message, .enum: "Never"
            }
        case .enumeration: "Enum"
        case .message: "Message"
        }
    }

    var isMessage: Bool {
        if case .message = self { return true }
        return false
    }

    /// Numeric scalars and enums: packable, so repeated fields are packed.
    /// The wire type one value of this type is encoded with (`WireType` case, as source).
    var wireType: String {
        switch self {
        case .scalar(let kind):
            switch kind {
            case .double, .fixed64, .sfixed64: ".fixed64"
            case .float, .fixed32, .sfixed32: ".fixed32"
            case .string, .bytes, .group, .message: ".lengthDelimited"
            case .int64, .uint64, .int32, .uint32, .bool, .sint32, .sint64, .enum: ".varint"
            }
        case .enumeration: ".varint"
        case .message: ".lengthDelimited"
        }
    }

    var isPackable: Bool {
        switch self {
        case .scalar(let kind): ![.string, .bytes].contains(kind)
        case .enumeration: true
        case .message: false
        }
    }

    /// Reads one value of this type from the field whose tag is in variable `tag` (not for
    /// messages, which are merged in place).
    func read(tag: String = "tag") -> String { "try reader.read\(stem)(\(tag))" }

    /// The repeated-field reader for packable types.
    func readRepeated(into target: String) -> String { "try reader.readRepeated\(stem)(tag, into: &\(target))" }

    func write(_ number: Int32, _ value: String) -> String { "writer.write\(stem)Field(\(number), \(value))" }

    func writePacked(_ number: Int32, _ values: String) -> String { "writer.writePacked\(stem)Field(\(number), \(values))" }

    /// The condition under which an implicit-presence (proto3 plain) field is written.
    func isNonDefault(_ value: String) -> String {
        switch self {
        case .scalar(let kind):
            switch kind {
            // -0.0 is not the default: compare bits, as Python protobuf does.
            case .double, .float: "\(value).bitPattern != 0"
            case .bool: value
            case .string, .bytes: "!\(value).isEmpty"
            default: "\(value) != 0"
            }
        case .enumeration: "\(value).rawValue != 0"
        case .message: "true"
        }
    }

    /// Encoded size of `value` without its tag.
    func size(_ value: String) -> String {
        switch self {
        case .scalar(let kind):
            switch kind {
            case .double, .fixed64, .sfixed64: "8"
            case .float, .fixed32, .sfixed32: "4"
            case .bool: "1"
            case .uint64: "ProtoSize.varint(\(value))"
            case .int64: "ProtoSize.int64(\(value))"
            case .int32: "ProtoSize.int32(\(value))"
            case .uint32: "ProtoSize.uint32(\(value))"
            case .sint32: "ProtoSize.sint32(\(value))"
            case .sint64: "ProtoSize.sint64(\(value))"
            case .string: "ProtoSize.string(\(value))"
            case .bytes: "ProtoSize.bytes(\(value))"
            case .group, .message, .enum: "0"
            }
        case .enumeration: "ProtoSize.enumValue(\(value))"
        case .message: "ProtoSize.message(\(value))"
        }
    }

    /// Size of a packed field (tag included, 0 if empty).
    func packedSize(_ number: Int32, _ values: String) -> String {
        switch self {
        case .scalar(let kind):
            switch kind {
            case .double, .fixed64, .sfixed64: return "ProtoSize.packedFixed(\(number), count: \(values).count, width: 8)"
            case .float, .fixed32, .sfixed32: return "ProtoSize.packedFixed(\(number), count: \(values).count, width: 4)"
            case .bool: return "ProtoSize.packedFixed(\(number), count: \(values).count, width: 1)"
            default: break
            }
        default: break
        }
        return "ProtoSize.packed(\(number), \(values)) { \(size("$0")) }"
    }

    /// The closure ordering map entries for encoding: ``ProtoMapOrder`` (Python's order).
    var keyOrdering: String { "{ ProtoMapOrder.precedes($0.key, $1.key) }" }

    /// The proto spelling, for doc comments.
    static func protoSpelling(_ field: FieldDescriptor) -> String {
        guard let kind = field.kind else { return "?" }
        switch kind {
        case .message, .enum, .group: return String(field.typeName.drop { $0 == "." })
        default: return "\(kind)"
        }
    }
}
