/// Emits a proto3 enum as an open `Int32` struct: unknown values decode and re-encode as is.
struct EnumGenerator {
    let fileName: String

    func generate(_ enumeration: EnumDescriptor, protoName: String, swiftName: String, into code: inout CodeBuilder) throws(CodegenError) {
        let simpleName = String(swiftName.split(separator: ".").last!)
        code.line("/// `enum \(protoName)` (\(fileName)). Values not listed here are kept, not rejected.")
        code.line("public struct \(simpleName): ProtoEnum, RawRepresentable, Sendable, Hashable {")
        code.line("    public var rawValue: Int32")
        code.line()
        code.line("    public init(rawValue: Int32) { self.rawValue = rawValue }")
        code.line()
        var names: [String] = []
        for value in enumeration.values {
            let name = SwiftNaming.escaped(SwiftNaming.enumCaseName(value.name))
            guard !["rawValue", "knownValues"].contains(name), !names.contains(name) else {
                throw .nameCollision("\(swiftName).\(name)")
            }
            names.append(name)
            code.line("    /// `\(value.name) = \(value.number)`")
            code.line("    public static let \(name) = \(simpleName)(rawValue: \(value.number))")
        }
        code.line()
        code.line("    /// The declared values, in declaration order.")
        code.line("    public static let knownValues: [\(simpleName)] = [\(names.map { "." + $0 }.joined(separator: ", "))]")
        code.line("}")
    }
}
