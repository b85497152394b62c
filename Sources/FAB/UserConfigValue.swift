/// A run-config value: the types Flower allows in `[tool.flwr.app.config]`.
public enum UserConfigValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
}

/// Flattening of `[tool.flwr.app.config]` into dotted keys (protocol §2.8).
enum ConfigFlattening {
    /// Depth-first in document order; nested tables join keys with "."; empty tables add
    /// nothing; a later duplicate dotted key replaces the value but keeps the first
    /// position (Python dict semantics). Throws on the first leaf of another type.
    static func flatten(_ entries: [(String, TOMLValue)]) throws(FABError) -> [(key: String, value: UserConfigValue)] {
        var out: [(key: String, value: UserConfigValue)] = []
        var positions: [String: Int] = [:]
        try add(entries, prefix: "", into: &out, positions: &positions)
        return out
    }

    private static func add(
        _ entries: [(String, TOMLValue)], prefix: String,
        into out: inout [(key: String, value: UserConfigValue)], positions: inout [String: Int]
    ) throws(FABError) {
        for (key, value) in entries {
            let fullKey = prefix.isEmpty ? key : prefix + "." + key
            let leaf: UserConfigValue
            switch value {
            case .table(let nested):
                try add(nested, prefix: fullKey, into: &out, positions: &positions)
                continue
            case .boolean(let b): leaf = .bool(b)
            case .integer(let i): leaf = .int(i)
            case .float(let d): leaf = .double(d)
            case .string(let s): leaf = .string(s)
            case .array, .datetime: throw .invalidConfigValue(key: key)
            }
            if let position = positions[fullKey] {
                out[position].value = leaf
            } else {
                positions[fullKey] = out.count
                out.append((fullKey, leaf))
            }
        }
    }
}
