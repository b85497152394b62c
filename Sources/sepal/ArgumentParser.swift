import Foundation

/// A small argparse-style parser: `--flag`, `--option value`, `--option=value`, aliases,
/// choices, typed values, repeated options (last wins), and argparse's `usage`/error wording,
/// so scripts written for `flower-superlink` behave the same.
struct ArgumentParser {
    /// How a value is checked while parsing (argparse's `type=`), with argparse's messages.
    enum ValueType {
        case string
        /// `type=int`: Python's `int()` syntax.
        case int
        /// Flower's `_positive_int`: an `int` that is at least 1.
        case positiveInt
    }

    struct Option {
        var names: [String]
        var metavar: String?
        var help: String
        var choices: [String]? = nil
        var type: ValueType = .string
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

    mutating func option(
        _ names: String..., metavar: String, choices: [String]? = nil, type: ValueType = .string, help: String
    ) {
        options.append(Option(names: names, metavar: metavar, help: help, choices: choices, type: type))
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
            let opt = try match(name, typed: arg)
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
                guard i + 1 < args.count, !Self.looksLikeOption(args[i + 1]) else {
                    throw ParseError(description: "argument \(opt.names.joined(separator: "/")): expected one argument")
                }
                value = args[i + 1]
                i += 2
            }
            if let choices = opt.choices, !choices.contains(value) {
                let list = choices.map { "'\($0)'" }.joined(separator: ", ")
                throw ParseError(description: "argument \(opt.names.joined(separator: "/")): invalid choice: '\(value)' (choose from \(list))")
            }
            try check(value, of: opt)
            out.values[opt.key] = value
        }
        return out
    }

    /// argparse's type check, with its wording (`invalid int value: 'x'`).
    private func check(_ value: String, of opt: Option) throws(ParseError) {
        let names = opt.names.joined(separator: "/")
        switch opt.type {
        case .string:
            return
        case .int:
            guard Self.pythonInt(value) != nil else {
                throw ParseError(description: "argument \(names): invalid int value: '\(value)'")
            }
        case .positiveInt:
            guard let number = Self.pythonInt(value) else {
                throw ParseError(description: "argument \(names): invalid _positive_int value: '\(value)'")
            }
            guard number >= 1 else { throw ParseError(description: "argument \(names): value must be >= 1") }
        }
    }

    /// A value as Python's `int()` reads it: surrounding whitespace, an optional sign, digits
    /// with single underscores between them (`" +1_000 "` is 1000). Nil if it is not one.
    static func pythonInt(_ text: String) -> Int? {
        var s = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        var negative = false
        if let sign = s.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            s = s.dropFirst()
        }
        guard let first = s.first, first.isASCII, first.isNumber, s.last != "_", !s.contains("__") else { return nil }
        let digits = s.filter { $0 != "_" }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let magnitude = Int(digits) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// argparse refuses a next word that looks like an option as an option's value (`-3` and
    /// `-1.5` look like negative numbers, so they are values).
    private static func looksLikeOption(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word != "-" else { return false }
        return Double(word) == nil
    }

    /// Exact names, then unambiguous prefixes (argparse allows abbreviations).
    private func match(_ name: String, typed arg: String) throws(ParseError) -> Option {
        if let exact = options.first(where: { $0.names.contains(name) }) { return exact }
        let candidates = name.hasPrefix("--") && name.count > 2
            ? options.filter { $0.names.contains { $0.hasPrefix(name) } } : []
        switch candidates.count {
        case 1:
            return candidates[0]
        case 0:
            throw ParseError(description: "unrecognized arguments: \(arg)")
        default:
            let matches = candidates.flatMap { $0.names.filter { $0.hasPrefix(name) } }
            throw ParseError(description: "ambiguous option: \(name) could match \(matches.joined(separator: ", "))")
        }
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
