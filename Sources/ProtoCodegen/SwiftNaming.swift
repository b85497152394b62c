/// The naming rules of the generated Swift API (other layers code against these):
///
/// - type prefix: package segments UpperCamelCased and joined, a trailing `proto` segment
///   dropped (`flwr.proto` → `Flwr`, `grpc.health.v1` → `GrpcHealthV1`);
/// - fields and oneof cases: snake_case → lowerCamelCase, where a non-leading segment `id`
///   becomes `ID` and `ids` becomes `IDs` (`message_object_id` → `messageObjectID`);
/// - enum values: `GET_PROPERTIES_NOT_IMPLEMENTED` → `getPropertiesNotImplemented`;
/// - RPCs: `SendNodeHeartbeat` → `sendNodeHeartbeat`;
/// - Swift keywords are escaped with backticks.
public enum SwiftNaming {
    public static func typePrefix(forPackage package: String) -> String {
        var segments = package.split(separator: ".").map(String.init)
        if segments.last == "proto" { segments.removeLast() }
        return segments.map(upperCamel).joined()
    }

    /// `snake_case` → `UpperCamelCase` (used for oneof enum names).
    public static func upperCamel(_ snake: String) -> String {
        snake.split(separator: "_").map { capitalized(String($0)) }.joined()
    }

    /// `snake_case` → `lowerCamelCase`, with the `ID`/`IDs` rule; not escaped.
    public static func lowerCamel(_ snake: String) -> String {
        let segments = snake.split(separator: "_").map(String.init)
        guard let first = segments.first else { return snake }
        var result = lowercasedFirst(first)
        for segment in segments.dropFirst() {
            switch segment {
            case "id": result += "ID"
            case "ids": result += "IDs"
            default: result += capitalized(segment)
            }
        }
        return result
    }

    /// `UPPER_SNAKE` → `lowerCamel`, same `ID` rule as fields.
    public static func enumCaseName(_ upperSnake: String) -> String {
        lowerCamel(upperSnake.lowercased())
    }

    /// `PascalCase` RPC name → `pascalCase`.
    public static func methodName(_ rpc: String) -> String {
        lowercasedFirst(rpc)
    }

    /// `name`, backticked if Swift would read it as a keyword.
    public static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    private static func capitalized(_ segment: String) -> String {
        guard let first = segment.first else { return segment }
        return first.uppercased() + segment.dropFirst()
    }

    private static func lowercasedFirst(_ segment: String) -> String {
        guard let first = segment.first else { return segment }
        return first.lowercased() + segment.dropFirst()
    }

    /// Words that cannot be used bare as a property, case or static member name.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
        "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
        "try", "Type", "Protocol", "some", "any", "consume", "copy", "borrowing", "consuming",
    ]
}
