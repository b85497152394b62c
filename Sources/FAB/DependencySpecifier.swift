/// The parts of a PEP 508 dependency line that `fab-format-version = 1` checks look at:
/// the distribution name and its version clauses. Markers (`; ...`) and URLs (`@ ...`)
/// are accepted and ignored.
struct DependencySpecifier {
    let name: String
    let clauses: [(op: String, version: String)]

    init?(_ line: String) {
        var s = Array(line.utf8)[...]
        func skipSpaces() { while let c = s.first, c == 0x20 || c == 0x09 { s = s.dropFirst() } }
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D || c == 0x5F
        }
        skipSpaces()
        let nameBytes = s.prefix(while: isNameByte)
        guard let first = nameBytes.first, let last = nameBytes.last,
              ![0x2E, 0x2D, 0x5F].contains(first), ![0x2E, 0x2D, 0x5F].contains(last)
        else { return nil }
        name = String(decoding: nameBytes, as: UTF8.self)
        s = s.dropFirst(nameBytes.count)
        skipSpaces()
        if s.first == UInt8(ascii: "[") {
            guard let close = s.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            s = s[(close + 1)...]
            skipSpaces()
        }
        if s.first == UInt8(ascii: "@") {
            clauses = []
            return
        }
        // Everything up to a marker is the specifier set, optionally in parentheses.
        let specEnd = s.firstIndex(of: UInt8(ascii: ";")) ?? s.endIndex
        var spec = String(decoding: s[..<specEnd], as: UTF8.self).trimmingWhitespace()
        if spec.hasPrefix("("), spec.hasSuffix(")") { spec = String(spec.dropFirst().dropLast()).trimmingWhitespace() }
        var clauses: [(op: String, version: String)] = []
        if !spec.isEmpty {
            for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
                let clause = String(part).trimmingWhitespace()
                guard let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first(where: { clause.hasPrefix($0) }) else { return nil }
                let version = String(clause.dropFirst(op.count)).trimmingWhitespace()
                guard !version.isEmpty else { return nil }
                clauses.append((op, version))
            }
        }
        self.clauses = clauses
    }
}
