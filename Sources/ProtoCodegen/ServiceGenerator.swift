/// Emits a service as a caseless enum of ``ProtoMethod`` constants plus `allPaths`.
struct ServiceGenerator {
    let registry: TypeRegistry
    let fileName: String

    func generate(_ service: ServiceDescriptor, package: String, swiftName: String, into code: inout CodeBuilder) throws(CodegenError) {
        let qualified = package.isEmpty ? service.name : package + "." + service.name
        var seen: Set<String> = ["serviceName", "allPaths"]
        code.line("/// `service \(qualified)` (\(fileName)).")
        try code.block("public enum \(swiftName) {") { (code) throws(CodegenError) in
            code.line("/// The fully qualified service name.")
            code.line("public static let serviceName = \"\(qualified)\"")
            var paths: [String] = []
            for method in service.methods {
                let name = SwiftNaming.escaped(SwiftNaming.methodName(method.name))
                guard seen.insert(name).inserted else { throw .nameCollision("\(swiftName).\(name)") }
                let request = try registry.swiftName(method.inputType)
                let response = try registry.swiftName(method.outputType)
                let path = "/\(qualified)/\(method.name)"
                paths.append(path)
                let streaming = (method.isClientStreaming ? "stream " : "", method.isServerStreaming ? "stream " : "")
                let inputName = method.inputType.drop { $0 == "." }
                let outputName = method.outputType.drop { $0 == "." }
                code.line()
                code.line("/// `rpc \(method.name)(\(streaming.0)\(inputName)) returns (\(streaming.1)\(outputName))`")
                code.line("public static let \(name) = ProtoMethod<\(request), \(response)>(")
                let clientStreaming = method.isClientStreaming ? ", isClientStreaming: true" : ""
                code.line("    path: \"\(path)\", isServerStreaming: \(method.isServerStreaming)\(clientStreaming))")
            }
            code.line()
            code.line("/// Every method path of the service, in declaration order.")
            try code.block("public static let allPaths: [String] = [", closer: "]") { (code) throws(CodegenError) in
                for path in paths { code.line("\"\(path)\",") }
            }
        }
    }
}
