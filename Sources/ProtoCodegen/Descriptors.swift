import ProtoWire

// The subset of google/protobuf/descriptor.proto that protogen needs, decoded by hand.
// Field numbers are descriptor.proto's; everything else in a descriptor is skipped.

/// `FileDescriptorProto`.
public struct FileDescriptor: Sendable, Equatable {
    public var name = ""
    public var package = ""
    public var syntax = ""
    public var messages: [MessageDescriptor] = []
    public var enums: [EnumDescriptor] = []
    public var services: [ServiceDescriptor] = []
}

/// `DescriptorProto`.
public struct MessageDescriptor: Sendable, Equatable {
    public var name = ""
    public var fields: [FieldDescriptor] = []
    public var nestedMessages: [MessageDescriptor] = []
    public var enums: [EnumDescriptor] = []
    public var oneofNames: [String] = []
    /// `MessageOptions.map_entry`: a synthesized `XxxEntry` type backing a `map<K, V>` field.
    public var isMapEntry = false
}

/// `FieldDescriptorProto`.
public struct FieldDescriptor: Sendable, Equatable {
    public enum Label: Int32, Sendable { case optional = 1, required = 2, repeated = 3 }

    /// `FieldDescriptorProto.Type`.
    public enum Kind: Int32, Sendable {
        case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group,
             message, bytes, uint32, `enum`, sfixed32, sfixed64, sint32, sint64
    }

    public var name = ""
    public var number: Int32 = 0
    /// `label` and `type` as sent; ``label`` and ``kind`` are nil for values this generator
    /// does not know.
    public var rawLabel: Int32 = 1
    public var rawKind: Int32 = 0
    public var label: Label? { Label(rawValue: rawLabel) }
    public var kind: Kind? { Kind(rawValue: rawKind) }
    /// Fully qualified, with a leading dot (".flwr.proto.Node"), for message and enum fields.
    public var typeName = ""
    public var oneofIndex: Int32?
    /// proto3 `optional`: explicit presence, carried by a synthetic oneof.
    public var isProto3Optional = false
}

/// `EnumDescriptorProto`.
public struct EnumDescriptor: Sendable, Equatable {
    public var name = ""
    public var values: [(name: String, number: Int32)] = []

    public static func == (lhs: EnumDescriptor, rhs: EnumDescriptor) -> Bool {
        lhs.name == rhs.name && lhs.values.elementsEqual(rhs.values) { $0 == $1 }
    }
}

/// `ServiceDescriptorProto`.
public struct ServiceDescriptor: Sendable, Equatable {
    public var name = ""
    public var methods: [MethodDescriptor] = []
}

/// `MethodDescriptorProto`.
public struct MethodDescriptor: Sendable, Equatable {
    public var name = ""
    public var inputType = ""
    public var outputType = ""
    public var isClientStreaming = false
    public var isServerStreaming = false
}

// MARK: Decoding

/// Decodes a binary `FileDescriptorSet` (as written by `protoc --descriptor_set_out`).
public func decodeFileDescriptorSet(_ bytes: [UInt8]) throws(CodegenError) -> [FileDescriptor] {
    do {
        return try ProtoReader.withReader(over: bytes) { (reader) throws(ProtoDecodeError) in
            var files: [FileDescriptor] = []
            while let tag = try reader.readTag() {
                if tag.fieldNumber == 1 {
                    files.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try FileDescriptor(from: &r) })
                } else {
                    try reader.skipField(tag)
                }
            }
            return files
        }
    } catch {
        throw .malformedDescriptorSet(error)
    }
}

extension ProtoReader {
    /// Decodes the sub-message at `tag` with `body`.
    fileprivate mutating func nested<T>(
        _ tag: ProtoTag, _ body: (inout ProtoReader) throws(ProtoDecodeError) -> T
    ) throws(ProtoDecodeError) -> T {
        let scope = try enterLengthDelimited(tag)
        let value = try body(&self)
        exitLengthDelimited(scope)
        return value
    }
}

extension FileDescriptor {
    fileprivate init(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag)
            case 2: package = try reader.readString(tag)
            case 4: messages.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try MessageDescriptor(from: &r) })
            case 5: enums.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try EnumDescriptor(from: &r) })
            case 6: services.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try ServiceDescriptor(from: &r) })
            case 12: syntax = try reader.readString(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension MessageDescriptor {
    fileprivate init(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag)
            case 2: fields.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try FieldDescriptor(from: &r) })
            case 3: nestedMessages.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try MessageDescriptor(from: &r) })
            case 4: enums.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try EnumDescriptor(from: &r) })
            case 7:
                // MessageOptions: only map_entry (7) matters.
                let isEntry = try reader.nested(tag) { (r) throws(ProtoDecodeError) -> Bool in
                    var isEntry = false
                    while let t = try r.readTag() {
                        if t.fieldNumber == 7 { isEntry = try r.readBool(t) } else { try r.skipField(t) }
                    }
                    return isEntry
                }
                isMapEntry = isMapEntry || isEntry
            case 8:
                oneofNames.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) -> String in
                    var name = ""
                    while let t = try r.readTag() {
                        if t.fieldNumber == 1 { name = try r.readString(t) } else { try r.skipField(t) }
                    }
                    return name
                })
            default: try reader.skipField(tag)
            }
        }
    }
}

extension FieldDescriptor {
    fileprivate init(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag)
            case 3: number = try reader.readInt32(tag)
            case 4: rawLabel = try reader.readInt32(tag)
            case 5: rawKind = try reader.readInt32(tag)
            case 6: typeName = try reader.readString(tag)
            case 9: oneofIndex = try reader.readInt32(tag)
            case 17: isProto3Optional = try reader.readBool(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension EnumDescriptor {
    fileprivate init(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag)
            case 2:
                values.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) -> (name: String, number: Int32) in
                    var value = (name: "", number: Int32(0))
                    while let t = try r.readTag() {
                        switch t.fieldNumber {
                        case 1: value.name = try r.readString(t)
                        case 2: value.number = try r.readInt32(t)
                        default: try r.skipField(t)
                        }
                    }
                    return value
                })
            default: try reader.skipField(tag)
            }
        }
    }
}

extension ServiceDescriptor {
    fileprivate init(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag)
            case 2: methods.append(try reader.nested(tag) { (r) throws(ProtoDecodeError) in try MethodDescriptor(from: &r) })
            default: try reader.skipField(tag)
            }
        }
    }
}

extension MethodDescriptor {
    fileprivate init(from reader: inout ProtoReader) throws(ProtoDecodeError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag)
            case 2: inputType = try reader.readString(tag)
            case 3: outputType = try reader.readString(tag)
            case 5: isClientStreaming = try reader.readBool(tag)
            case 6: isServerStreaming = try reader.readBool(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}
