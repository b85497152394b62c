import ProtoWire

/// Why protogen could not turn a descriptor set into Swift.
public enum CodegenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The descriptor set bytes are not a valid `FileDescriptorSet`.
    case malformedDescriptorSet(ProtoDecodeError)
    /// The schema uses something this generator deliberately does not support.
    case unsupported(String)
    /// A field refers to a type that no file in the set declares.
    case unknownType(String)
    /// Two declarations would get the same Swift name.
    case nameCollision(String)

    public var description: String {
        switch self {
        case .malformedDescriptorSet(let error): "malformed FileDescriptorSet: \(error)"
        case .unsupported(let what): "unsupported: \(what)"
        case .unknownType(let name): "unknown type \(name)"
        case .nameCollision(let name): "name collision: \(name)"
        }
    }
}
