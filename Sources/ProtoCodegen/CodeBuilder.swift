/// Accumulates generated Swift source with four-space indentation.
struct CodeBuilder {
    private(set) var text = ""
    private var depth = 0

    /// Appends one line at the current indentation (an empty string gives a blank line).
    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: depth) + content + "\n"
        }
    }

    /// `opener {` … `}` with `body` indented one level.
    mutating func block(_ opener: String, closer: String = "}", _ body: (inout CodeBuilder) throws(CodegenError) -> Void) throws(CodegenError) {
        line(opener)
        depth += 1
        try body(&self)
        depth -= 1
        line(closer)
    }

    /// `switch … {` … `}` with the cases at the level of the `switch`, Swift style.
    mutating func switchBlock(_ opener: String, _ body: (inout CodeBuilder) throws(CodegenError) -> Void) throws(CodegenError) {
        line(opener)
        try body(&self)
        line("}")
    }
}
