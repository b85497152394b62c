/// A TOML value as parsed from `pyproject.toml`.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// Offset/local date-times, local dates and local times, as written in the document.
    case datetime(String)
    case array([TOMLValue])
    /// Keys in document (insertion) order.
    case table([(String, TOMLValue)])

    public static func == (lhs: TOMLValue, rhs: TOMLValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.float(a), .float(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.boolean(a), .boolean(b)): return a == b
        case let (.datetime(a), .datetime(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.table(a), .table(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value under `key` if this is a table that has it.
    public subscript(key: String) -> TOMLValue? {
        guard case .table(let entries) = self else { return nil }
        return entries.first { $0.0 == key }?.1
    }

    /// The entries if this is a table.
    public var tableEntries: [(String, TOMLValue)]? {
        if case .table(let entries) = self { return entries }
        return nil
    }

    /// The string if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The name of the type tomli would produce, as Python prints it in error messages.
    var pythonTypeName: String {
        switch self {
        case .string: return "str"
        case .integer: return "int"
        case .float: return "float"
        case .boolean: return "bool"
        case .array: return "list"
        case .table: return "dict"
        case .datetime(let text):
            let bytes = Array(text.utf8)
            if bytes.count > 2, bytes[2] == UInt8(ascii: ":") { return "datetime.time" }
            if bytes.count == 10 { return "datetime.date" }
            return "datetime.datetime"
        }
    }

    /// Python's `str()` of the value tomli would produce (used where Flower stringifies).
    var pythonStr: String {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .boolean(let b): return b ? "True" : "False"
        case .float(let d): return PythonRepr.float(d)
        case .datetime(let text): return text
        case .array(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .table(let entries):
            return "{" + entries.map { PythonRepr.string($0.0) + ": " + $0.1.pythonRepr }.joined(separator: ", ") + "}"
        }
    }

    var pythonRepr: String {
        if case .string(let s) = self { return PythonRepr.string(s) }
        return pythonStr
    }
}
