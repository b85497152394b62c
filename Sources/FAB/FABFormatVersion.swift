/// `[tool.flwr.app] fab-format-version` checks (protocol §6.4), with Flower's messages.
enum FABFormatVersion {
    static let latest: Int64 = 1

    /// The first problem with the format version itself and, for version 1, with
    /// `flwr-version-target` and `[project].license`; nil if acceptable.
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
        guard PEP440Version(targetText) != nil else {
            return "Invalid [tool.flwr.app].flwr-version-target: expected a valid version."
        }
        if let problem = licenseProblem(project?["license"]) { return problem }
        return nil
    }

    /// Checks `[project].dependencies` (done for every FAB, whatever its format version)
    /// and, for version 1, the `flwr>=` bound against `flwr-version-target`.
    static func dependencyProblem(project: TOMLValue?, app: TOMLValue) -> String? {
        var flwr: [DependencySpecifier] = []
        if let dependencies = project?["dependencies"] {
            guard case .array(let lines) = dependencies else {
                return "Invalid [project].dependencies: expected a list containing a \"flwr\" dependency declaration."
            }
            for line in lines {
                guard case .string(let text) = line else { return "Invalid [project].dependencies: dependency entries must be strings." }
                switch DependencySpecifier.parse(text) {
                case .success(let parsed): if parsed.name == "flwr" { flwr.append(parsed) }
                case .failure(.syntax(let error)): return "Invalid dependency declaration \"\(text)\": \(error.text)"
                case .failure(.invalidSpecifier(let clause)): return "Invalid specifier: \(PythonRepr.string(clause))"
                }
            }
            if flwr.count > 1 { return "Multiple \"flwr\" dependency declarations are not supported." }
        }
        guard case .integer(let version)? = app["fab-format-version"], version >= 1,
              case .string(let targetText)? = app["flwr-version-target"], let target = PEP440Version(targetText)
        else { return nil }
        let missing = "Missing \"flwr\" dependency in [project].dependencies for fab-format-version >= 1."
        guard let dependency = flwr.first else { return missing }
        guard flwr.count == 1 else { return "Multiple \"flwr\" dependency declarations are not supported." }
        let bounds = dependency.clauses.filter { $0.op == ">=" }.compactMap { PEP440Version($0.version) }
        guard let bound = bounds.max() else {
            return "Invalid \"flwr\" dependency specifier: an inclusive lower bound declared with \">=\" is required for fab-format-version = 1."
        }

        guard target >= bound else {
            return "Invalid [tool.flwr.app].flwr-version-target: must be greater than or equal to the declared \"flwr\" dependency lower bound."
        }
        let satisfied: Bool
        switch SpecifierSet.contains(dependency.clauses, target) {
        case .success(let result): satisfied = result
        case .failure(let invalid): return "Invalid version: \(PythonRepr.string(invalid.version))"
        }
        guard satisfied else {
            return "Invalid [tool.flwr.app].flwr-version-target: must satisfy the declared \"flwr\" dependency specifier."
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
