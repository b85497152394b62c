/// Emits one message: the struct with its properties and oneof enums, its nested types, and
/// the codec extension (decode, encode, size).
struct MessageGenerator {
    let registry: TypeRegistry
    let fileName: String

    private struct Oneof {
        let protoName: String
        let enumName: String
        let property: String
        var members: [FieldModel]
    }

    /// Emits the type declaration of `message` and, nested in an extension, those of its
    /// nested types (recursively).
    func generateDeclaration(_ message: MessageDescriptor, protoName: String, swiftName: String, into code: inout CodeBuilder) throws(CodegenError) {
        let fields = try models(message)
        let oneofs = try collectOneofs(message, fields)
        let simpleName = String(swiftName.split(separator: ".").last!)
        try checkNames(message, fields: fields, oneofs: oneofs, swiftName: swiftName)

        code.line("/// `\(protoName)` (\(fileName)).")
        try code.block("public struct \(simpleName): ProtoMessage, Hashable {") { (code) throws(CodegenError) in
            for field in fields {
                if case .oneofMember = field.shape { continue }
                code.line("/// `\(field.protoDeclaration)`")
                switch field.shape {
                case .implicit: code.line("public var \(field.swiftName): \(field.swiftDeclarationType) = \(field.value.defaultValue)")
                case .optional: code.line("public var \(field.swiftName): \(field.swiftDeclarationType)")
                case .repeated: code.line("public var \(field.swiftName): \(field.swiftDeclarationType) = []")
                case .map: code.line("public var \(field.swiftName): \(field.swiftDeclarationType) = [:]")
                case .oneofMember: break
                }
            }
            for oneof in oneofs {
                code.line("/// `oneof \(oneof.protoName)`: at most one of its fields is set.")
                code.line("public var \(oneof.property): \(swiftName).\(oneof.enumName)?")
            }
            if !fields.isEmpty { code.line() }
            code.line("public init() {}")
            for oneof in oneofs {
                code.line()
                code.line("/// The fields of `oneof \(oneof.protoName)`.")
                try code.block("public enum \(oneof.enumName): Sendable, Hashable {") { (code) throws(CodegenError) in
                    for member in oneof.members {
                        code.line("/// `\(member.protoDeclaration)`")
                        code.line("case \(member.swiftName)(\(member.value.swiftType))")
                    }
                }
            }
        }

        let nested = message.nestedMessages.filter { !$0.isMapEntry }
        if !nested.isEmpty || !message.enums.isEmpty {
            code.line()
            try code.block("extension \(swiftName) {") { (code) throws(CodegenError) in
                var first = true
                for enumeration in message.enums {
                    if !first { code.line() }
                    first = false
                    try EnumGenerator(fileName: fileName).generate(enumeration, protoName: protoName + "." + enumeration.name,
                                                                   swiftName: swiftName + "." + enumeration.name, into: &code)
                }
                for child in nested {
                    if !first { code.line() }
                    first = false
                    try generateDeclaration(child, protoName: protoName + "." + child.name,
                                            swiftName: swiftName + "." + child.name, into: &code)
                }
            }
        }
    }

    /// Emits the codec extensions (file scope) of `message` and of its nested types.
    func generateCodecs(_ message: MessageDescriptor, swiftName: String, into code: inout CodeBuilder) throws(CodegenError) {
        let fields = try models(message)
        let oneofs = try collectOneofs(message, fields)
        code.line()
        try generateCodec(fields: fields, oneofs: oneofs, swiftName: swiftName, into: &code)
        for child in message.nestedMessages where !child.isMapEntry {
            try generateCodecs(child, swiftName: swiftName + "." + child.name, into: &code)
        }
    }

    private func models(_ message: MessageDescriptor) throws(CodegenError) -> [FieldModel] {
        try message.fields.map { (field) throws(CodegenError) in try FieldModel(field, in: message, registry: registry) }
    }

    // MARK: Codec

    private func generateCodec(fields: [FieldModel], oneofs: [Oneof], swiftName: String, into code: inout CodeBuilder) throws(CodegenError) {
        let sorted = fields.sorted { $0.number < $1.number }
        try code.block("extension \(swiftName) {") { (code) throws(CodegenError) in
            // Decode.
            try code.block("public mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodeError) {") { (code) throws(CodegenError) in
                try code.block("while let tag = try reader.readTag() {") { (code) throws(CodegenError) in
                    if sorted.isEmpty {
                        code.line("try reader.skipField(tag)")
                        return
                    }
                    try code.switchBlock("switch tag.fieldNumber {") { (code) throws(CodegenError) in
                        for field in sorted {
                            try decodeCase(field, oneofs: oneofs, swiftName: swiftName, into: &code)
                        }
                        code.line("default: try reader.skipField(tag)")
                    }
                }
            }
            code.line()

            // Encode.
            try code.block("public func encodeFields(to writer: inout ProtoWriter) {") { (code) throws(CodegenError) in
                for run in runs(sorted) {
                    try emit(run, oneofs: oneofs, swiftName: swiftName, into: &code, sizing: false)
                }
            }
            code.line()

            // Size.
            try code.block("public var serializedSize: Int {") { (code) throws(CodegenError) in
                if sorted.isEmpty {
                    code.line("0")
                    return
                }
                code.line("var size = 0")
                for run in runs(sorted) {
                    try emit(run, oneofs: oneofs, swiftName: swiftName, into: &code, sizing: true)
                }
                code.line("return size")
            }
        }
    }

    private func decodeCase(_ field: FieldModel, oneofs: [Oneof], swiftName: String, into code: inout CodeBuilder) throws(CodegenError) {
        // A known field that arrives with another wire type is skipped as an unknown field, as
        // protobuf parsers do (upb keeps it in the unknown-field set), instead of failing the
        // whole message: the `where` clause sends it to `default`.
        let n: String
        switch field.shape {
        case .repeated where field.value.isPackable:
            n = "\(field.number) where tag.wireType == \(field.value.wireType) || tag.wireType == .lengthDelimited"
        case .map:
            n = "\(field.number) where tag.wireType == .lengthDelimited"
        default:
            n = "\(field.number) where tag.wireType == \(field.value.wireType)"
        }
        switch field.shape {
        case .implicit, .optional:
            if field.value.isMessage {
                code.line("case \(n): try reader.readMessage(tag, into: &\(field.access))")
            } else {
                code.line("case \(n): \(field.access) = \(field.value.read())")
            }
        case .repeated:
            if field.value.isPackable {
                code.line("case \(n): \(field.value.readRepeated(into: field.access))")
            } else if field.value.isMessage {
                code.line("case \(n): try reader.readRepeatedMessage(tag, into: &\(field.access))")
            } else {
                code.line("case \(n): \(field.access).append(\(field.value.read()))")
            }
        case .map(let key, let value):
            code.line("case \(n):")
            code.line("    let scope = try reader.enterLengthDelimited(tag)")
            code.line("    var key: \(key.swiftType) = \(key.defaultValue)")
            code.line("    var value: \(value.swiftType) = \(value.defaultValue)")
            code.line("    while let entryTag = try reader.readTag() {")
            code.line("        switch entryTag.fieldNumber {")
            code.line("        case 1 where entryTag.wireType == \(key.wireType): key = \(key.read(tag: "entryTag"))")
            if value.isMessage {
                code.line("        case 2 where entryTag.wireType == .lengthDelimited: try reader.readMessage(entryTag, into: &value)")
            } else {
                code.line("        case 2 where entryTag.wireType == \(value.wireType): value = \(value.read(tag: "entryTag"))")
            }
            code.line("        default: try reader.skipField(entryTag)")
            code.line("        }")
            code.line("    }")
            code.line("    reader.exitLengthDelimited(scope)")
            code.line("    \(field.access)[key] = value")
        case .oneofMember(let index):
            let oneof = oneofs.first { $0.members.contains { $0.number == field.number } }!
            _ = index
            let property = "self.\(oneof.property)"
            if case .message(let type) = field.value {
                // A repeated occurrence of the same member merges into it, as in protobuf.
                code.line("case \(n):")
                code.line("    var nested = \(type)()")
                code.line("    if case .\(field.swiftName)(let existing)? = \(property) {")
                code.line("        nested = existing")
                code.line("        \(property) = nil")
                code.line("    }")
                code.line("    try reader.readMessage(tag, into: &nested)")
                code.line("    \(property) = .\(field.swiftName)(nested)")
            } else {
                code.line("case \(n): \(property) = .\(field.swiftName)(\(field.value.read()))")
            }
        }
    }

    /// Fields in number order, with adjacent members of one oneof grouped so they can share a
    /// `switch`.
    private enum Run {
        case field(FieldModel)
        case oneof(index: Int, members: [FieldModel])
    }

    private func runs(_ sorted: [FieldModel]) -> [Run] {
        var result: [Run] = []
        for field in sorted {
            if case .oneofMember(let index) = field.shape {
                if case .oneof(let last, var members)? = result.last, last == index {
                    members.append(field)
                    result[result.count - 1] = .oneof(index: index, members: members)
                } else {
                    result.append(.oneof(index: index, members: [field]))
                }
            } else {
                result.append(.field(field))
            }
        }
        return result
    }

    /// Emits the encode (`sizing == false`) or size (`sizing == true`) statements of one run.
    private func emit(_ run: Run, oneofs: [Oneof], swiftName: String, into code: inout CodeBuilder, sizing: Bool) throws(CodegenError) {
        switch run {
        case .field(let field):
            let n = field.number
            let t = field.tagSize
            let value = field.value
            switch field.shape {
            case .implicit:
                if sizing {
                    code.line("if \(value.isNonDefault(field.access)) { size += \(t) + \(value.size(field.access)) }")
                } else {
                    code.line("if \(value.isNonDefault(field.access)) { \(value.write(n, field.access)) }")
                }
            case .optional:
                if sizing {
                    let size = value.size("value")
                    if size.contains("value") {
                        code.line("if let value = \(field.access) { size += \(t) + \(size) }")
                    } else {
                        code.line("if \(field.access) != nil { size += \(t) + \(size) }")
                    }
                } else {
                    code.line("if let value = \(field.access) { \(value.write(n, "value")) }")
                }
            case .repeated:
                if value.isPackable {
                    code.line(sizing ? "size += \(value.packedSize(n, field.access))" : value.writePacked(n, field.access))
                } else if sizing {
                    code.line("for value in \(field.access) { size += \(t) + \(value.size("value")) }")
                } else {
                    code.line("for value in \(field.access) { \(value.write(n, "value")) }")
                }
            case .map(let key, let mapValue):
                // Map entries always carry both key and value, as Python protobuf writes them.
                if sizing {
                    let keySize = key.size("key")
                    let valueSize = mapValue.size("value")
                    let keyName = keySize.contains("key") ? "key" : "_"
                    let valueName = valueSize.contains("value") ? "value" : "_"
                    try code.block("for (\(keyName), \(valueName)) in \(field.access) {") { (code) throws(CodegenError) in
                        code.line("let entry = 1 + \(keySize) + 1 + \(valueSize)")
                        code.line("size += \(t) + ProtoSize.lengthDelimited(entry)")
                    }
                } else {
                    try code.block("for (key, value) in \(field.access).sorted(by: \(key.keyOrdering)) {") { (code) throws(CodegenError) in
                        code.line("let scope = writer.beginLengthDelimited(\(n))")
                        code.line(key.write(1, "key"))
                        code.line(mapValue.write(2, "value"))
                        code.line("writer.endLengthDelimited(scope)")
                    }
                }
            case .oneofMember:
                break
            }
        case .oneof(let index, let members):
            let oneof = oneofs.first { $0.members.contains { $0.number == members[0].number } }!
            _ = index
            try code.switchBlock("switch self.\(oneof.property) {") { (code) throws(CodegenError) in
                for member in members {
                    if sizing {
                        let size = member.value.size("value")
                        // Fixed-width sizes do not mention the value; binding it would warn.
                        let pattern = size.contains("value") ? ".\(member.swiftName)(let value)?" : ".\(member.swiftName)?"
                        code.line("case \(pattern): size += \(member.tagSize) + \(size)")
                    } else {
                        code.line("case .\(member.swiftName)(let value)?: \(member.value.write(member.number, "value"))")
                    }
                }
                code.line(members.count == oneof.members.count ? "case nil: break" : "default: break")
            }
        }
    }

    // MARK: Checks

    private func collectOneofs(_ message: MessageDescriptor, _ fields: [FieldModel]) throws(CodegenError) -> [Oneof] {
        var oneofs: [Oneof] = []
        for (index, name) in message.oneofNames.enumerated() {
            let members = fields.filter {
                if case .oneofMember(let i) = $0.shape { return i == index }
                return false
            }
            // Synthetic oneofs of proto3 `optional` fields have no real members.
            if members.isEmpty { continue }
            oneofs.append(Oneof(protoName: name, enumName: SwiftNaming.upperCamel(name),
                                property: SwiftNaming.escaped(SwiftNaming.lowerCamel(name)), members: members))
        }
        return oneofs
    }

    /// Rejects schemas whose Swift spelling would not compile or would shadow something.
    private func checkNames(_ message: MessageDescriptor, fields: [FieldModel], oneofs: [Oneof], swiftName: String) throws(CodegenError) {
        var members: Set<String> = ["decodeFields", "encodeFields", "serializedSize", "serializedBytes", "merge"]
        for field in fields {
            if case .oneofMember = field.shape { continue }
            guard members.insert(field.swiftName).inserted else { throw .nameCollision("\(swiftName).\(field.swiftName)") }
        }
        var types: Set<String> = Self.reservedTypeNames
        for oneof in oneofs {
            guard members.insert(oneof.property).inserted else { throw .nameCollision("\(swiftName).\(oneof.property)") }
            guard types.insert(oneof.enumName).inserted else { throw .nameCollision("\(swiftName).\(oneof.enumName)") }
        }
        for nested in message.nestedMessages where !nested.isMapEntry {
            guard types.insert(nested.name).inserted else { throw .nameCollision("\(swiftName).\(nested.name)") }
        }
        for enumeration in message.enums {
            guard types.insert(enumeration.name).inserted else { throw .nameCollision("\(swiftName).\(enumeration.name)") }
        }
    }

    /// Nested type names that would shadow a type the generated code itself spells.
    static let reservedTypeNames: Set<String> = [
        "Double", "Float", "Int", "Int32", "Int64", "UInt32", "UInt64", "UInt8", "Bool", "String",
        "Array", "Dictionary", "Optional", "Never", "ProtoReader", "ProtoWriter", "ProtoSize",
        "ProtoMessage", "ProtoEnum", "ProtoDecodeError", "ProtoTag", "Sendable", "Hashable",
    ]
}
