/// `[tool.flwr.app] fab-format-version` checks (protocol §6.4), with Flower's messages.
enum FABFormatVersion {
    static let latest: Int64 = 1

    /// Returns the first problem Flower reports, or nil if the declaration is acceptable.
    static func problem(project: TOMLValue?, app: TOMLValue) -> String? {
        var version: Int64 = 0
        if let declared = app["fab-format-version"] {
            guard case .integer(let n) = declared, n >= 0 else {
                return "Invalid [tool.flwr.app].fab-format-version: expected a non-negative integer."
            }
            version = n
        }
        if version > latest { return "Unsupported [tool.flwr.app].fab-format-version: \(version)." }
        guard version >= 1 else { return nil }

        guard let targetValue = app["flwr-version-target"] else {
            return "Missing [tool.flwr.app].flwr-version-target for fab-format-version >= 1."
        }
        guard case .string(let targetText) = targetValue else {
            return "Invalid [tool.flwr.app].flwr-version-target: expected a string."
        }
        guard let target = PEP440Version(targetText) else {
            return "Invalid [tool.flwr.app].flwr-version-target: expected a valid version."
        }
        if let problem = licenseProblem(project?["license"]) { return problem }

        let missing = "Missing \"flwr\" dependency in [project].dependencies for fab-format-version >= 1."
        guard let dependencies = project?["dependencies"] else { return missing }
        guard case .array(let lines) = dependencies else {
            return "Invalid [project].dependencies: expected a list containing a \"flwr\" dependency declaration."
        }
        var flwr: [DependencySpecifier] = []
        for line in lines {
            guard case .string(let text) = line, let parsed = DependencySpecifier(text) else {
                return "Invalid dependency declaration \"\(line.pythonStr)\"."
            }
            if parsed.name == "flwr" { flwr.append(parsed) }
        }
        guard let dependency = flwr.first else { return missing }
        guard flwr.count == 1 else { return "Multiple \"flwr\" dependency declarations are not supported." }
        let bounds = dependency.clauses.filter { $0.op == ">=" }.compactMap { PEP440Version($0.version) }
        guard let bound = bounds.max() else {
            return "Invalid \"flwr\" dependency specifier: an inclusive lower bound declared with \">=\" is required for fab-format-version = 1."
        }
        guard target >= bound else {
            return "Invalid [tool.flwr.app].flwr-version-target: must be greater than or equal to the declared \"flwr\" dependency lower bound."
        }
        return nil
    }

    private static func licenseProblem(_ license: TOMLValue?) -> String? {
        if let license, case .table = license {
            if let file = license["file"] {
                guard case .string(let name) = file, name == "LICENSE" || name == "LICENSE.md" else {
                    return "fab-format-version = 1 requires [project].license.file to be \"LICENSE\" or \"LICENSE.md\"."
                }
                return nil
            }
            if license["text"] != nil {
                return "fab-format-version = 1 requires [project].license to reference a root-level license file, not inline text."
            }
        }
        return "fab-format-version = 1 requires [project].license to be { file = \"LICENSE\" } or { file = \"LICENSE.md\" }."
    }
}
