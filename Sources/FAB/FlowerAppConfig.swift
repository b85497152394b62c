/// The Flower app described by a FAB's `pyproject.toml`, validated as Flower 1.28's
/// StartRun validates it (protocol §6.4), in the same order and with the same messages:
/// config value types, then required sections/properties (all reported together), then
/// `fab-format-version`, then the component references.
public struct FlowerAppConfig: Sendable {
    /// `[project] name`, `version` and `[tool.flwr.app] publisher` as Python's `str()`
    /// of the TOML value (Flower does not insist on strings here).
    public let name: String
    public let version: String
    public let publisher: String
    public var fabID: String { "\(publisher)/\(name)" }
    /// `[tool.flwr.app.components]` references, "module:attribute".
    public let serverApp: String
    public let clientApp: String
    /// [tool.flwr.app.config] flattened with "." in document order.
    public let config: [(key: String, value: UserConfigValue)]

    public init(pyprojectTOML: String) throws(FABError) {
        try self.init(document: TOML.parse(pyprojectTOML))
    }

    /// Validates an already parsed `pyproject.toml` root table.
    public init(document root: TOMLValue) throws(FABError) {
        let project = root["project"]
        let tool = root["tool"]
        let app = tool?["flwr"]?["app"]
        if let app, let configValue = app["config"] {
            guard case .table(let entries) = configValue else {
                throw .unexpectedType("'\(configValue.pythonTypeName)' object has no attribute 'items'")
            }
            config = try ConfigFlattening.flatten(entries)
        } else {
            config = []
        }

        var errors: [String] = []
        if let project {
            for key in ["name", "version"] where try !Self.pythonContains(project, key) {
                errors.append("Property \"\(key)\" missing in [project]")
            }
        } else {
            errors.append("Missing [project] section")
        }
        var hasApp = false
        if let tool, try Self.pythonContains(tool, "flwr"), let flwr = tool["flwr"] {
            hasApp = try Self.pythonContains(flwr, "app")
        }
        var components: TOMLValue?
        if hasApp, let app {
            if try !Self.pythonContains(app, "publisher") { errors.append("Property \"publisher\" missing in [tool.flwr.app]") }
            if try Self.pythonContains(app, "components"), let found = app["components"] {
                components = found
                for key in ["serverapp", "clientapp"] where try !Self.pythonContains(found, key) {
                    errors.append("Property \"\(key)\" missing in [tool.flwr.app.components]")
                }
            } else {
                errors.append("Missing [tool.flwr.app.components] section")
            }
        } else {
            errors.append("Missing [tool.flwr.app] section")
        }
        guard errors.isEmpty, let project, let app, let components else { throw .invalidConfig(errors) }

        if let problem = FABFormatVersion.problem(project: project, app: app) { throw .invalidConfig([problem]) }
        if let problem = FABFormatVersion.dependencyProblem(project: project, app: app) { throw .invalidConfig([problem]) }

        serverApp = try Self.objectReference(Self.item(components, "serverapp"))
        clientApp = try Self.objectReference(Self.item(components, "clientapp"))
        name = try Self.item(project, "name").pythonStr
        version = try Self.item(project, "version").pythonStr
        publisher = try Self.item(app, "publisher").pythonStr
    }

    /// Checks StartRun's `override_config` keys: each must be a flattened config key
    /// (a table prefix such as "a" for "a.b" is not one). Values are not type-checked,
    /// matching Flower.
    public func validateOverrideKeys<Keys: Sequence<String>>(_ keys: Keys) throws(FABError) {
        let known = Set(config.map(\.key))
        for key in keys where !known.contains(key) { throw .unknownOverrideKey(key) }
    }

    // MARK: Python semantics of the checks

    /// `key in value` as Python evaluates it for what tomli returns.
    private static func pythonContains(_ value: TOMLValue, _ key: String) throws(FABError) -> Bool {
        switch value {
        case .table(let entries): return entries.contains { $0.0 == key }
        case .string(let text): return text.contains(key)
        case .array(let items): return items.contains(.string(key))
        default: throw .unexpectedType("argument of type '\(value.pythonTypeName)' is not iterable")
        }
    }

    /// `value[key]` after `key in value` held.
    private static func item(_ value: TOMLValue, _ key: String) throws(FABError) -> TOMLValue {
        switch value {
        case .table: return value[key]!
        case .string: throw .unexpectedType("string indices must be integers, not 'str'")
        default: throw .unexpectedType("list indices must be integers or slices, not str")
        }
    }

    private static let referenceHelp = """
        \n\n\nThe object reference string should have the form <module>:<attribute>. Valid
        examples include `client:app` and `project.package.module:wrapper.app`. It must
        refer to a module on the PYTHONPATH and the module needs to have the specified
        attribute.

        """

    /// "module:attribute", checked only for its shape (nothing is imported).
    private static func objectReference(_ value: TOMLValue) throws(FABError) -> String {
        guard case .string(let reference) = value else {
            throw .unexpectedType("'\(value.pythonTypeName)' object has no attribute 'partition'")
        }
        let colon = reference.firstIndex(of: ":")
        let module = colon.map { reference[..<$0] } ?? reference[...]
        let attribute = colon.map { reference[reference.index(after: $0)...] } ?? ""
        if module.isEmpty { throw .invalidConfig(["Missing module in \(reference)" + referenceHelp]) }
        if attribute.isEmpty { throw .invalidConfig(["Missing attribute in \(reference)" + referenceHelp]) }
        return reference
    }
}
