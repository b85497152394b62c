/// Every message and enum in a descriptor set, by fully qualified proto name
/// (".flwr.proto.RecordDict.Item"), with the Swift name it is generated as.
struct TypeRegistry {
    enum Entry {
        case message(MessageDescriptor, swiftName: String, protoName: String)
        case enumeration(EnumDescriptor, swiftName: String)
    }

    private(set) var entries: [String: Entry] = [:]
    /// Top-level Swift names, to reject two declarations that would collide.
    private var topLevelNames: Set<String> = []

    init(files: [FileDescriptor]) throws(CodegenError) {
        for file in files {
            let prefix = SwiftNaming.typePrefix(forPackage: file.package)
            let scope = file.package.isEmpty ? "" : "." + file.package
            for message in file.messages {
                try claimTopLevel(prefix + message.name)
                try register(message, protoScope: scope, swiftName: prefix + message.name)
            }
            for enumeration in file.enums {
                try claimTopLevel(prefix + enumeration.name)
                try add(scope + "." + enumeration.name, .enumeration(enumeration, swiftName: prefix + enumeration.name))
            }
            for service in file.services {
                try claimTopLevel(prefix + service.name)
            }
        }
    }

    func entry(_ protoName: String) throws(CodegenError) -> Entry {
        guard let entry = entries[protoName] else { throw .unknownType(protoName) }
        return entry
    }

    func swiftName(_ protoName: String) throws(CodegenError) -> String {
        switch try entry(protoName) {
        case .message(_, let swiftName, _), .enumeration(_, let swiftName): swiftName
        }
    }

    func message(_ protoName: String) throws(CodegenError) -> MessageDescriptor {
        guard case .message(let message, _, _) = try entry(protoName) else { throw .unknownType(protoName) }
        return message
    }

    private mutating func register(_ message: MessageDescriptor, protoScope: String, swiftName: String) throws(CodegenError) {
        let protoName = protoScope + "." + message.name
        try add(protoName, .message(message, swiftName: swiftName, protoName: String(protoName.dropFirst())))
        for nested in message.nestedMessages {
            try register(nested, protoScope: protoName, swiftName: swiftName + "." + nested.name)
        }
        for enumeration in message.enums {
            try add(protoName + "." + enumeration.name, .enumeration(enumeration, swiftName: swiftName + "." + enumeration.name))
        }
    }

    private mutating func add(_ protoName: String, _ entry: Entry) throws(CodegenError) {
        guard entries[protoName] == nil else { throw .nameCollision(protoName) }
        entries[protoName] = entry
    }

    private mutating func claimTopLevel(_ swiftName: String) throws(CodegenError) {
        guard topLevelNames.insert(swiftName).inserted else { throw .nameCollision(swiftName) }
    }
}
