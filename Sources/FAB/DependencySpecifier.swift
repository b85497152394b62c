/// A PEP 508 dependency line, parsed with the grammar and error texts of the `packaging`
/// library (which Flower uses): name, extras, version specifiers or URL, marker.
/// Only the name and the version clauses are kept; markers are syntax-checked only.
struct DependencySpecifier {
    let name: String
    let clauses: [(op: String, version: String)]

    /// Parses `line` as `packaging.requirements.Requirement(line)` does.
    static func parse(_ line: String) -> Result<DependencySpecifier, Failure> {
        var parser = RequirementParser(line)
        do {
            return .success(try parser.requirement())
        } catch {
            return .failure(error)
        }
    }

    enum Failure: Error {
        /// `InvalidRequirement`: the line does not match the grammar.
        case syntax(SyntaxError)
        /// `InvalidSpecifier`: a comma-separated clause is not a valid specifier.
        case invalidSpecifier(String)
    }

    struct SyntaxError: Error {
        let message: String
        let source: String
        let span: (Int, Int)

        /// `str(ParserSyntaxError)`: message, source and a `~~~^` marker, joined by "\n    ".
        var text: String {
            let marker = String(repeating: " ", count: span.0) + String(repeating: "~", count: span.1 - span.0) + "^"
            return [message, source, marker].joined(separator: "\n    ")
        }
    }
}

/// Recursive descent over the characters of one requirement, mirroring packaging's
/// token rules (WS = `[ \t]+`, IDENTIFIER = `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, ...).
private struct RequirementParser {
    private let source: String
    private let chars: [Character]
    private var position = 0

    init(_ source: String) {
        self.source = source
        chars = Array(source)
    }

    mutating func requirement() throws(DependencySpecifier.Failure) -> DependencySpecifier {
        let name: String
        let tokens: [(op: String, version: String)]
        do throws(DependencySpecifier.SyntaxError) {
            consumeWhitespace()
            guard let parsedName = identifier() else { throw error("Expected package name at the start of dependency specifier") }
            name = parsedName
            consumeWhitespace()
            try extras()
            consumeWhitespace()
            tokens = try details()
            guard atEnd else { throw error("Expected end of dependency specifier") }
        } catch {
            throw .syntax(error)
        }
        return DependencySpecifier(name: name, clauses: try Self.specifierSet(tokens))
    }

    /// `SpecifierSet(",".join(tokens))`: split on commas (an `===` token may hold several
    /// clauses), each clause checked against the strict specifier grammar.
    private static func specifierSet(_ tokens: [(op: String, version: String)]) throws(DependencySpecifier.Failure) -> [(op: String, version: String)] {
        let joined = tokens.map { $0.op + $0.version }.joined(separator: ",")
        var clauses: [(op: String, version: String)] = []
        for part in joined.split(separator: ",", omittingEmptySubsequences: false) {
            let clause = String(part).trimmingWhitespace()
            if clause.isEmpty { continue }
            guard let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first(where: { clause.hasPrefix($0) }) else {
                throw .invalidSpecifier(clause)
            }
            let version = String(clause.dropFirst(op.count)).trimmingWhitespace()
            guard op == "===" || isSpecifierVersion(version, op: op) else { throw .invalidSpecifier(clause) }
            clauses.append((op, version))
        }
        return clauses
    }

    // MARK: Grammar

    private mutating func extras() throws(DependencySpecifier.SyntaxError) {
        guard peek == "[" else { return }
        let open = position
        position += 1
        consumeWhitespace()
        if identifier() != nil {
            while true {
                consumeWhitespace()
                if isIdentifierStart { throw error("Expected comma between extra names") }
                guard peek == "," else { break }
                position += 1
                consumeWhitespace()
                guard identifier() != nil else { throw error("Expected extra name after comma") }
            }
        }
        consumeWhitespace()
        guard peek == "]" else { throw error("Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras", from: open) }
        position += 1
    }

    private mutating func details() throws(DependencySpecifier.SyntaxError) -> [(op: String, version: String)] {
        if peek == "@" {
            position += 1
            consumeWhitespace()
            let urlStart = position
            while let c = peek, c != " ", c != "\t" { position += 1 }
            guard position > urlStart else { throw error("Expected URL after @") }
            if atEnd { return [] }
            guard consumeWhitespace() else { throw error("Expected whitespace after URL") }
            if atEnd { return [] }
            try requirementMarker(from: urlStart, after: "URL and whitespace")
            return []
        }
        let specifierStart = position
        var open: Int?
        if peek == "(" {
            open = position
            position += 1
        }
        consumeWhitespace()
        let clauses = try versionMany()
        consumeWhitespace()
        if let open {
            guard peek == ")" else { throw error("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier", from: open) }
            position += 1
        }
        consumeWhitespace()
        if atEnd { return clauses }
        try requirementMarker(from: specifierStart, after: clauses.isEmpty ? "name and no valid version specifier" : "version specifier")
        return clauses
    }

    private mutating func versionMany() throws(DependencySpecifier.SyntaxError) -> [(op: String, version: String)] {
        var clauses: [(op: String, version: String)] = []
        while let (op, version, length) = specifier() {
            let start = position
            position += length
            clauses.append((op, version.trimmingWhitespace()))
            if peek == ".", peek(1) == "*" {
                throw error(".* suffix can only be used with `==` or `!=` operators", from: start, to: position + 1)
            }
            if peek == "+", let next = peek(1), next.isASCII, next.isLetter || next.isNumber {
                throw error("Local version label can only be used with `==` or `!=` operators", from: start)
            }
            consumeWhitespace()
            guard peek == "," else { break }
            position += 1
            consumeWhitespace()
        }
        return clauses
    }

    private mutating func requirementMarker(from start: Int, after: String) throws(DependencySpecifier.SyntaxError) {
        guard peek == ";" else { throw error("Expected end or semicolon (after \(after))", from: start) }
        position += 1
        try markerExpression()
        consumeWhitespace()
    }

    /// marker = atom (("and" | "or") atom)*; atom = "(" marker ")" | var op var.
    private mutating func markerExpression() throws(DependencySpecifier.SyntaxError) {
        try markerAtom()
        while true {
            let save = position
            consumeWhitespace()
            guard let op = keyword(["and", "or"]), peek == " " || peek == "\t" || peek == "(" || peek == "'" || peek == "\"" else {
                position = save
                return
            }
            _ = op
            try markerAtom()
        }
    }

    private mutating func markerAtom() throws(DependencySpecifier.SyntaxError) {
        consumeWhitespace()
        if peek == "(" {
            let open = position
            position += 1
            consumeWhitespace()
            try markerExpression()
            consumeWhitespace()
            guard peek == ")" else { throw error("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression", from: open) }
            position += 1
            consumeWhitespace()
            return
        }
        try markerVariable()
        consumeWhitespace()
        guard markerOperator() else {
            throw error("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
        }
        consumeWhitespace()
        try markerVariable()
        consumeWhitespace()
    }

    private mutating func markerVariable() throws(DependencySpecifier.SyntaxError) {
        if let quote = peek, quote == "'" || quote == "\"" {
            var probe = position + 1
            while probe < chars.count, chars[probe] != quote { probe += 1 }
            if probe < chars.count {
                position = probe + 1
                return
            }
        }
        let variables = [
            "platform_python_implementation", "python_implementation", "platform.python_implementation", "platform_release",
            "platform_system", "platform_version", "platform.version", "platform_machine", "platform.machine", "python_full_version",
            "python_version", "implementation_version", "implementation_name", "sys_platform", "sys.platform", "os_name", "os.name",
            "extra", "dependency_groups", "extras",
        ]
        guard keyword(variables) != nil else { throw error("Expected a marker variable or quoted string") }
    }

    private mutating func markerOperator() -> Bool {
        for op in ["===", "==", "!=", "~=", "<=", ">=", "<", ">"] where matches(op) {
            position += op.count
            return true
        }
        if matches("in"), peek(2) == " " || peek(2) == "\t" {
            position += 2
            return true
        }
        if matches("not") {
            var probe = position + 3
            guard probe < chars.count, chars[probe] == " " || chars[probe] == "\t" else { return false }
            while probe < chars.count, chars[probe] == " " || chars[probe] == "\t" { probe += 1 }
            guard probe + 2 <= chars.count, String(chars[probe..<probe + 2]) == "in" else { return false }
            position = probe + 2
            return true
        }
        return false
    }

    // MARK: Tokens

    /// `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`
    private mutating func identifier() -> String? {
        guard isIdentifierStart else { return nil }
        var end = position + 1
        while end < chars.count, Self.isNameChar(chars[end]) { end += 1 }
        // The trailing \b backs off over a tail of "." and "-".
        while end > position + 1, chars[end - 1] == "." || chars[end - 1] == "-" { end -= 1 }
        let text = String(chars[position..<end])
        position = end
        return text
    }

    private var isIdentifierStart: Bool {
        guard let c = peek, c.isASCII, c.isLetter || c.isNumber else { return false }
        return position == 0 || !Self.isWordChar(chars[position - 1])
    }

    private static func isNameChar(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-")
    }

    private static func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// An operator and the longest version after it that packaging's specifier regex
    /// accepts: (op, version text incl. leading spaces, length consumed).
    private func specifier() -> (String, String, Int)? {
        guard let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first(where: { matches($0) }) else { return nil }
        var start = position + op.count
        var text = ""
        while start < chars.count, chars[start] == " " || chars[start] == "\t" {
            text.append(chars[start])
            start += 1
        }
        var end = start
        if op == "===" {
            // Arbitrary equality takes `[^\s;)]*`: commas and all, possibly nothing.
            while end < chars.count, !chars[end].isWhitespace, chars[end] != ";", chars[end] != ")" { end += 1 }
            let version = String(chars[start..<end])
            return (op, version, op.count + text.count + version.count)
        }
        while end < chars.count, !chars[end].isWhitespace, chars[end] != ";", chars[end] != ")", chars[end] != "," { end += 1 }
        // Longest prefix of the candidate that is a version for this operator.
        var length = end - start
        while length > 0 {
            let candidate = String(chars[start..<start + length])
            if Self.isSpecifierVersion(candidate, op: op) {
                return (op, candidate, op.count + text.count + length)
            }
            length -= 1
        }
        return nil
    }

    static func isSpecifierVersion(_ text: String, op: String) -> Bool {
        guard let first = text.first, first.isNumber || first == "v" || first == "V" else { return false }
        if op == "==" || op == "!=" {
            if text.hasSuffix(".*") {
                let base = String(text.dropLast(2))
                return !base.isEmpty && base.allSatisfy({ $0.isNumber || $0 == "." || $0 == "!" || $0 == "v" || $0 == "V" })
                    && PEP440Version(base) != nil
            }
            return PEP440Version(text) != nil
        }
        guard !text.contains("+"), let version = PEP440Version(text) else { return false }
        return op != "~=" || version.release.count >= 2
    }

    // MARK: Cursor

    private var atEnd: Bool { position >= chars.count }
    private var peek: Character? { position < chars.count ? chars[position] : nil }
    private func peek(_ offset: Int) -> Character? { position + offset < chars.count ? chars[position + offset] : nil }

    private func matches(_ text: String) -> Bool {
        let needle = Array(text)
        return position + needle.count <= chars.count && Array(chars[position..<position + needle.count]) == needle
    }

    private mutating func keyword(_ options: [String]) -> String? {
        for option in options.sorted(by: { $0.count > $1.count }) where matches(option) {
            position += option.count
            return option
        }
        return nil
    }

    @discardableResult
    private mutating func consumeWhitespace() -> Bool {
        let start = position
        while let c = peek, c == " " || c == "\t" { position += 1 }
        return position > start
    }

    private func error(_ message: String, from start: Int? = nil, to end: Int? = nil) -> DependencySpecifier.SyntaxError {
        DependencySpecifier.SyntaxError(message: message, source: source, span: (start ?? position, end ?? position))
    }
}
