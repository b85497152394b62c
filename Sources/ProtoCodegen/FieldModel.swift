/// One field of a message, resolved against the registry: its Swift property, presence rules
/// and value type.
struct FieldModel {
    enum Shape {
        /// proto3 plain scalar or enum: written only when not the default.
        case implicit
        /// proto3 `optional` scalar or a singular sub-message: a Swift Optional, written when
        /// present (even if it holds the default).
        case optional
        case repeated
        case map(key: ValueType, value: ValueType)
        /// A member of real (non-synthetic) oneof number `index`.
        case oneofMember(index: Int)
    }

    let descriptor: FieldDescriptor
    let number: Int32
    /// Escaped lowerCamel property (or oneof case) name.
    let swiftName: String
    let shape: Shape
    let value: ValueType
    /// Bytes of this field's tag.
    let tagSize: Int

    var access: String { "self.\(swiftName)" }

    var swiftDeclarationType: String {
        switch shape {
        case .implicit, .oneofMember: value.swiftType
        case .optional: value.swiftType + "?"
        case .repeated: "[\(value.swiftType)]"
        case .map(let key, let value): "[\(key.swiftType): \(value.swiftType)]"
        }
    }

    /// The proto declaration, for the property's doc comment.
    let protoDeclaration: String

    init(_ field: FieldDescriptor, in message: MessageDescriptor, registry: TypeRegistry) throws(CodegenError) {
        guard let kind = field.kind, let label = field.label else {
            throw .unsupported("field \(field.name): type \(field.rawKind), label \(field.rawLabel)")
        }
        guard label != .required else { throw .unsupported("required field \(field.name) (proto2)") }
        guard kind != .group else { throw .unsupported("group field \(field.name)") }
        descriptor = field
        number = field.number
        swiftName = SwiftNaming.escaped(SwiftNaming.lowerCamel(field.name))
        tagSize = Self.varintSize(UInt64(field.number) << 3)
        value = try Self.valueType(kind: kind, typeName: field.typeName, registry: registry)

        if label == .repeated {
            if case .message = kind, case .message(let entry, _, _) = try registry.entry(field.typeName), entry.isMapEntry {
                guard let keyField = entry.fields.first(where: { $0.number == 1 }),
                      let valueField = entry.fields.first(where: { $0.number == 2 }),
                      let keyKind = keyField.kind, let valueKind = valueField.kind
                else { throw .unsupported("malformed map entry \(field.typeName)") }
                let key = try Self.valueType(kind: keyKind, typeName: keyField.typeName, registry: registry)
                guard case .scalar(let scalar) = key, ![.double, .float, .bytes].contains(scalar) else {
                    throw .unsupported("map key type of \(field.name)")
                }
                shape = .map(key: key, value: try Self.valueType(kind: valueKind, typeName: valueField.typeName, registry: registry))
                protoDeclaration = "map<\(ValueType.protoSpelling(keyField)), \(ValueType.protoSpelling(valueField))> \(field.name) = \(field.number);"
                return
            } else {
                shape = .repeated
            }
        } else if let index = field.oneofIndex, !field.isProto3Optional {
            shape = .oneofMember(index: Int(index))
        } else if field.isProto3Optional || kind == .message {
            shape = .optional
        } else {
            shape = .implicit
        }
        let type = ValueType.protoSpelling(field)
        switch shape {
        case .repeated: protoDeclaration = "repeated \(type) \(field.name) = \(field.number);"
        default: protoDeclaration = (field.isProto3Optional ? "optional " : "") + "\(type) \(field.name) = \(field.number);"
        }
    }

    private static func valueType(kind: FieldDescriptor.Kind, typeName: String, registry: TypeRegistry) throws(CodegenError) -> ValueType {
        switch kind {
        case .message:
            return .message(swiftName: try registry.swiftName(typeName))
        case .enum:
            guard case .enumeration(let descriptor, let swiftName) = try registry.entry(typeName) else {
                throw .unknownType(typeName)
            }
            let zero = descriptor.values.first { $0.number == 0 }.map { SwiftNaming.escaped(SwiftNaming.enumCaseName($0.name)) }
            return .enumeration(swiftName: swiftName, zeroCase: zero)
        default:
            return .scalar(kind)
        }
    }

    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 { size += 1; rest >>= 7 }
        return size
    }
}
