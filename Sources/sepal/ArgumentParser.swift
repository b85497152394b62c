/// A small argparse-style parser: `--flag`, `--option value`, `--option=value`, aliases,
/// choices, repeated options (last wins), and argparse's `usage`/error wording, so scripts
/// written for `flower-superlink` behave the same.
struct ArgumentParser {
    struct Option {
        var names: [String]
        var metavar: String?
        var help: String
        var choices: [String]? = nil
        var isFlag: Bool { metavar == nil }
        var key: String { names[0] }
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    let program: String
    let summary: String
    var options: [Option] = []

    init(program: String, summary: String) {
        self.program = program
        self.summary = summary
    }

    mutating func flag(_ names: String..., help: String) {
        options.append(Option(names: names, metavar: nil, help: help))
    }

    mutating func option(_ names: String..., metavar: String, choices: [String]? = nil, help: String) {
        options.append(Option(names: names, metavar: metavar, help: help, choices: choices))
    }

    /// Parsed values by each option's first name; `explicit` holds names the user typed.
    struct Values {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var explicit: Set<String> = []

        func string(_ key: String) -> String? { values[key] }
        func has(_ key: String) -> Bool { flags.contains(key) }
    }

    func parse(_ args: [String]) throws(ParseError) -> Values {
        var out = Values()
        var i = 0
        while i < args.count {
            let arg = args[i]
            var name = arg
            var inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            guard let opt = match(name) else {
                throw ParseError(description: "unrecognized arguments: \(arg)")
            }
            out.explicit.insert(name)
            if opt.isFlag {
                if inline != nil { throw ParseError(description: "argument \(opt.names.joined(separator: "/")): ignored explicit argument '\(inline!)'") }
                out.flags.insert(opt.key)
                i += 1
                continue
            }
            let value: String
            if let inline {
                value = inline
                i += 1
            } else {
                guard i + 1 < args.count, !args[i + 1].hasPrefix("--") || args[i + 1] == "--" else {
                    throw ParseError(description: "argument \(opt.names.joined(separator: "/")): expected one argument")
                }
                value = args[i + 1]
                i += 2
            }
            if let choices = opt.choices, !choices.contains(value) {
                let list = choices.map { "'\($0)'" }.joined(separator: ", ")
                throw ParseError(description: "argument \(opt.names.joined(separator: "/")): invalid choice: '\(value)' (choose from \(list))")
            }
            out.values[opt.key] = value
        }
        return out
    }

    /// Exact names, then unambiguous prefixes (argparse allows abbreviations).
    private func match(_ name: String) -> Option? {
        if let exact = options.first(where: { $0.names.contains(name) }) { return exact }
        guard name.hasPrefix("--"), name.count > 2 else { return nil }
        let candidates = options.filter { $0.names.contains { $0.hasPrefix(name) } }
        return candidates.count == 1 ? candidates[0] : nil
    }

    var usage: String {
        var parts = ["usage: \(program)"]
        for o in options {
            let n = o.names[0]
            parts.append(o.isFlag ? "[\(n)]" : "[\(n) \(o.choices.map { "{\($0.joined(separator: ","))}" } ?? o.metavar!)]")
        }
        return parts.joined(separator: " ")
    }

    var help: String {
        var lines = [usage, "", summary, "", "options:"]
        for o in options {
            let names = o.names.map { o.isFlag ? $0 : "\($0) \(o.choices.map { "{\($0.joined(separator: ","))}" } ?? o.metavar!)" }
            lines.append("  " + names.joined(separator: ", "))
            lines.append("                        " + o.help)
        }
        return lines.joined(separator: "\n")
    }
}
