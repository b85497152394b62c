/// A TOML parser (TOML 1.0 plus the TOML 1.1 relaxations tomli 2.5 accepts: newlines and
/// trailing commas in inline tables, `\e` and `\xHH` escapes, optional seconds).
/// Errors carry a position for logs; Flower only ever says "Invalid TOML content".
struct TOMLParser {
    struct Failure: Error {
        let message: String
        let line: Int
    }

    private let bytes: [UInt8]
    private var index = 0
    private let root = TOMLTable(origin: .header)

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    static func parse(_ text: String) throws(Failure) -> TOMLValue {
        var parser = TOMLParser(text)
        return try parser.document()
    }

    // MARK: Document structure

    private mutating func document() throws(Failure) -> TOMLValue {
        var current = root
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "["):
                if peek(1) == UInt8(ascii: "[") {
                    index += 2
                    let key = try keyPath(closing: "]")
                    guard peek() == UInt8(ascii: "]"), peek(1) == UInt8(ascii: "]") else { throw fail("expected ']]'") }
                    index += 2
                    current = try appendArrayTable(key)
                } else {
                    index += 1
                    let key = try keyPath(closing: "]")
                    guard take("]") else { throw fail("expected ']'") }
                    current = try defineTable(key)
                }
            default:
                try keyValue(into: current)
            }
            try endOfLine()
        }
        return root.value
    }

    /// `[a.b.c]`
    private func defineTable(_ path: [String]) throws(Failure) -> TOMLTable {
        let parent = try walkHeader(path.dropLast())
        let last = path[path.count - 1]
        switch parent[last] {
        case nil:
            let table = TOMLTable(origin: .header)
            parent[last] = .table(table)
            return table
        case .table(let table) where table.origin == .implicit:
            table.origin = .header
            return table
        default:
            throw fail("cannot declare \(path) twice")
        }
    }

    /// `[[a.b.c]]`
    private func appendArrayTable(_ path: [String]) throws(Failure) -> TOMLTable {
        let parent = try walkHeader(path.dropLast())
        let last = path[path.count - 1]
        let table = TOMLTable(origin: .header)
        switch parent[last] {
        case nil: parent[last] = .tables([table])
        case .tables(let existing): parent[last] = .tables(existing + [table])
        default: throw fail("cannot append to \(path)")
        }
        return table
    }

    /// Walks (creating implicit tables) the parents named by a header.
    private func walkHeader(_ path: ArraySlice<String>) throws(Failure) -> TOMLTable {
        var table = root
        for key in path {
            switch table[key] {
            case nil:
                let child = TOMLTable(origin: .implicit)
                table[key] = .table(child)
                table = child
            case .table(let child):
                guard child.origin != .inline else { throw fail("cannot extend inline table \(key)") }
                table = child
            case .tables(let children):
                table = children[children.count - 1]
            case .value:
                throw fail("key \(key) is not a table")
            }
        }
        return table
    }

    /// `a.b.c = value` into `table`.
    private mutating func keyValue(into table: TOMLTable) throws(Failure) {
        let path = try keyPath(closing: "=")
        guard take("=") else { throw fail("expected '='") }
        skipWhitespace()
        let value = try value()
        var target = table
        for key in path.dropLast() {
            switch target[key] {
            case nil:
                let child = TOMLTable(origin: .dotted)
                target[key] = .table(child)
                target = child
            case .table(let child) where child.origin == .dotted:
                target = child
            default:
                throw fail("cannot extend \(key) with a dotted key")
            }
        }
        let last = path[path.count - 1]
        guard target[last] == nil else { throw fail("duplicate key \(last)") }
        target[last] = value
    }

    /// After a statement: optional whitespace and comment, then a newline or the end.
    private mutating func endOfLine() throws(Failure) {
        skipWhitespace()
        try skipComment()
        if index == bytes.count { return }
        guard takeNewline() else { throw fail("expected end of line") }
    }

    // MARK: Keys

    /// A dotted key up to (not including) `closing`.
    private mutating func keyPath(closing: Unicode.Scalar) throws(Failure) -> [String] {
        var parts: [String] = []
        repeat {
            skipWhitespace()
            parts.append(try simpleKey())
            skipWhitespace()
        } while take(".")
        guard peek() == UInt8(ascii: closing) else { throw fail("unexpected character in key") }
        return parts
    }

    private mutating func simpleKey() throws(Failure) -> String {
        switch peek() {
        case UInt8(ascii: "\""):
            guard peek(1) != UInt8(ascii: "\"") || peek(2) != UInt8(ascii: "\"") else { throw fail("multi-line key") }
            return try basicString()
        case UInt8(ascii: "'"):
            guard peek(1) != UInt8(ascii: "'") || peek(2) != UInt8(ascii: "'") else { throw fail("multi-line key") }
            return try literalString()
        default:
            let start = index
            while let byte = peek(), Self.isBareKey(byte) { index += 1 }
            guard index > start else { throw fail("expected a key") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

    private static func isBareKey(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    private mutating func value() throws(Failure) -> TOMLTable.Node {
        guard let byte = peek() else { throw fail("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .value(.string(try multilineBasicString())) }
            return .value(.string(try basicString()))
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .value(.string(try multilineLiteralString())) }
            return .value(.string(try literalString()))
        case UInt8(ascii: "["):
            return .value(try array())
        case UInt8(ascii: "{"):
            return .table(try inlineTable())
        default:
            return .value(try scalar())
        }
    }

    /// A scalar value as a TOMLValue (for array elements); tables are converted.
    private mutating func plainValue() throws(Failure) -> TOMLValue {
        switch try value() {
        case .value(let v): return v
        case .table(let t): return t.value
        case .tables(let ts): return .array(ts.map(\.value))
        }
    }

    private mutating func array() throws(Failure) -> TOMLValue {
        index += 1  // [
        var items: [TOMLValue] = []
        while true {
            try skipBlank()
            if take("]") { return .array(items) }
            items.append(try plainValue())
            try skipBlank()
            if take("]") { return .array(items) }
            guard take(",") else { throw fail("expected ',' or ']' in array") }
        }
    }

    private mutating func inlineTable() throws(Failure) -> TOMLTable {
        index += 1  // {
        let table = TOMLTable(origin: .inline)
        // Dotted keys inside may extend each other's tables until the closing brace.
        var nested: [TOMLTable] = []
        while true {
            try skipBlank()
            if take("}") { break }
            let path = try keyPath(closing: "=")
            guard take("=") else { throw fail("expected '=' in inline table") }
            skipWhitespace()
            let node = try value()
            var target = table
            for key in path.dropLast() {
                switch target[key] {
                case nil:
                    let child = TOMLTable(origin: .dotted)
                    nested.append(child)
                    target[key] = .table(child)
                    target = child
                case .table(let child) where child.origin == .dotted:
                    target = child
                default:
                    throw fail("cannot extend \(key) in inline table")
                }
            }
            let last = path[path.count - 1]
            guard target[last] == nil else { throw fail("duplicate key \(last) in inline table") }
            target[last] = node
            try skipBlank()
            if take("}") { break }
            guard take(",") else { throw fail("expected ',' or '}' in inline table") }
        }
        for child in nested { child.origin = .inline }
        return table
    }

    // MARK: Scalars: numbers, booleans, dates

    private mutating func scalar() throws(Failure) -> TOMLValue {
        let start = index
        while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        // A date followed by " HH:" is a date-time with a space separator.
        if index - start == 10, peek() == UInt8(ascii: " "), let h1 = peek(1), let h2 = peek(2), peek(3) == UInt8(ascii: ":"),
           Self.isDigit(h1), Self.isDigit(h2) {
            index += 1
            while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !token.isEmpty else { throw fail("invalid value") }
        if let value = TOMLScalar.parse(token) { return value }
        throw fail("invalid value \(token)")
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        isBareKey(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    // MARK: Strings

    private mutating func basicString() throws(Failure) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: &out)
            default:
                guard !Self.isForbiddenControl(byte) else { throw fail("control character in string") }
                out.append(byte)
                index += 1
            }
        }
    }

    private mutating func multilineBasicString() throws(Failure) -> String {
        index += 3
        _ = takeNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail("unterminated string") }
            if byte == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                // Up to two extra quotes may sit right before the closing delimiter.
                var extra = 0
                while extra < 2, peek(3 + extra) == UInt8(ascii: "\"") { extra += 1 }
                out += [UInt8](repeating: UInt8(ascii: "\""), count: extra)
                index += 3 + extra
                return String(decoding: out, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                // Line-ending backslash: trim whitespace and newlines up to the next content.
                var probe = index + 1
                while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
                if probe < bytes.count, bytes[probe] == 0x0A || (bytes[probe] == 0x0D && probe + 1 < bytes.count && bytes[probe + 1] == 0x0A) {
                    index = probe
                    while let next = peek(), next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D {
                        if next == 0x0D, peek(1) != 0x0A { throw fail("bare carriage return") }
                        index += 1
                    }
                    continue
                }
                index += 1
                try escape(into: &out)
                continue
            }
            if byte == 0x0D {
                guard peek(1) == 0x0A else { throw fail("bare carriage return") }
                index += 1
                continue
            }
            guard byte == 0x0A || !Self.isForbiddenControl(byte) else { throw fail("control character in string") }
            out.append(byte)
            index += 1
        }
    }

    private mutating func literalString() throws(Failure) -> String {
        index += 1
        let start = index
        while true {
            guard let byte = peek() else { throw fail("unterminated string") }
            if byte == UInt8(ascii: "'") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            guard !Self.isForbiddenControl(byte) else { throw fail("control character in string") }
            index += 1
        }
    }

    private mutating func multilineLiteralString() throws(Failure) -> String {
        index += 3
        _ = takeNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail("unterminated string") }
            if byte == UInt8(ascii: "'"), peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                var extra = 0
                while extra < 2, peek(3 + extra) == UInt8(ascii: "'") { extra += 1 }
                out += [UInt8](repeating: UInt8(ascii: "'"), count: extra)
                index += 3 + extra
                return String(decoding: out, as: UTF8.self)
            }
            if byte == 0x0D {
                guard peek(1) == 0x0A else { throw fail("bare carriage return") }
                index += 1
                continue
            }
            guard byte == 0x0A || !Self.isForbiddenControl(byte) else { throw fail("control character in string") }
            out.append(byte)
            index += 1
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(Failure) {
        guard let byte = peek() else { throw fail("unterminated escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "e"): out.append(0x1B)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "x"): try hexEscape(digits: 2, into: &out)
        case UInt8(ascii: "u"): try hexEscape(digits: 4, into: &out)
        case UInt8(ascii: "U"): try hexEscape(digits: 8, into: &out)
        default: throw fail("invalid escape")
        }
    }

    private mutating func hexEscape(digits: Int, into out: inout [UInt8]) throws(Failure) {
        guard index + digits <= bytes.count,
              let code = UInt32(String(decoding: bytes[index..<index + digits], as: UTF8.self), radix: 16),
              bytes[index..<index + digits].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }),
              let scalar = Unicode.Scalar(code)
        else { throw fail("invalid unicode escape") }
        index += digits
        out += Array(String(Character(scalar)).utf8)
    }

    /// Control characters other than tab are not allowed in strings and comments.
    private static func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    // MARK: Whitespace and comments

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { index += 1 }
    }

    private mutating func skipComment() throws(Failure) {
        guard peek() == UInt8(ascii: "#") else { return }
        while let byte = peek(), byte != 0x0A {
            if byte == 0x0D {
                guard peek(1) == 0x0A else { throw fail("bare carriage return") }
                return
            }
            guard !Self.isForbiddenControl(byte) else { throw fail("control character in comment") }
            index += 1
        }
    }

    /// Whitespace, newlines and comments (inside arrays and inline tables).
    private mutating func skipBlank() throws(Failure) {
        while true {
            skipWhitespace()
            try skipComment()
            if !takeNewline() { return }
        }
    }

    private mutating func takeNewline() -> Bool {
        if peek() == 0x0A {
            index += 1
            return true
        }
        if peek() == 0x0D, peek(1) == 0x0A {
            index += 2
            return true
        }
        return false
    }

    // MARK: Cursor

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard peek() == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    private func fail(_ message: String) -> Failure {
        Failure(message: message, line: bytes[..<min(index, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 })
    }
}
