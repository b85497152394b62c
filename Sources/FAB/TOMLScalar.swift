/// Bare TOML scalars: booleans, integers, floats and date/times.
enum TOMLScalar {
    static func parse(_ token: String) -> TOMLValue? {
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        let bytes = Array(token.utf8)
        if isDateTime(bytes) { return .datetime(token) }
        if let integer = integer(bytes) { return .integer(integer) }
        if let float = float(bytes) { return .float(float) }
        return nil
    }

    // MARK: Integers

    private static func integer(_ bytes: [UInt8]) -> Int64? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            switch bytes[1] {
            case UInt8(ascii: "x"): return radixInteger(bytes[2...], radix: 16)
            case UInt8(ascii: "o"): return radixInteger(bytes[2...], radix: 8)
            case UInt8(ascii: "b"): return radixInteger(bytes[2...], radix: 2)
            default: break
            }
        }
        var body = bytes[...]
        var negative = false
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        guard let digits = digitsWithUnderscores(body, radix: 10) else { return nil }
        // No leading zeros: "0" alone is fine, "01" is not.
        if digits.count > 1, digits.first == UInt8(ascii: "0") { return nil }
        let text = (negative ? "-" : "") + String(decoding: digits, as: UTF8.self)
        return Int64(text)
    }

    private static func radixInteger(_ body: ArraySlice<UInt8>, radix: Int) -> Int64? {
        guard let digits = digitsWithUnderscores(body, radix: radix) else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self), radix: radix)
    }

    /// The digits with single underscores between them removed; nil if malformed.
    private static func digitsWithUnderscores(_ body: ArraySlice<UInt8>, radix: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var previousWasDigit = false
        for byte in body {
            if byte == UInt8(ascii: "_") {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
                continue
            }
            guard isDigit(byte, radix: radix) else { return nil }
            out.append(byte)
            previousWasDigit = true
        }
        return previousWasDigit ? out : nil
    }

    private static func isDigit(_ byte: UInt8, radix: Int) -> Bool {
        switch radix {
        case 2: return byte == 0x30 || byte == 0x31
        case 8: return byte >= 0x30 && byte <= 0x37
        case 10: return byte >= 0x30 && byte <= 0x39
        default:
            return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
        }
    }

    // MARK: Floats

    /// `[+-] int ( frac [exp] | exp )` with underscores between digits.
    private static func float(_ bytes: [UInt8]) -> Double? {
        var body = bytes[...]
        var sign = ""
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? "-" : ""
            body = body.dropFirst()
        }
        let exponentAt = body.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = exponentAt.map { body[..<$0] } ?? body
        let dotAt = mantissa.firstIndex(of: UInt8(ascii: "."))
        let intPart = dotAt.map { mantissa[..<$0] } ?? mantissa
        guard let intDigits = digitsWithUnderscores(intPart, radix: 10) else { return nil }
        if intDigits.count > 1, intDigits.first == UInt8(ascii: "0") { return nil }
        var text = sign + String(decoding: intDigits, as: UTF8.self)
        if let dotAt {
            guard let fracDigits = digitsWithUnderscores(mantissa[(dotAt + 1)...], radix: 10) else { return nil }
            text += "." + String(decoding: fracDigits, as: UTF8.self)
        }
        if let exponentAt {
            var exponent = body[(exponentAt + 1)...]
            var expSign = ""
            if let first = exponent.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
                expSign = first == UInt8(ascii: "-") ? "-" : "+"
                exponent = exponent.dropFirst()
            }
            guard let expDigits = digitsWithUnderscores(exponent, radix: 10) else { return nil }
            text += "e" + expSign + String(decoding: expDigits, as: UTF8.self)
        }
        guard dotAt != nil || exponentAt != nil else { return nil }
        return Double(text)
    }

    // MARK: Dates and times

    /// RFC 3339 shapes TOML allows: offset/local date-time, local date, local time
    /// (seconds optional, as in TOML 1.1). Field ranges are checked.
    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        var scanner = Cursor(bytes)
        if bytes.count >= 3, bytes[2] == UInt8(ascii: ":") {
            return scanner.time() && scanner.atEnd
        }
        guard scanner.date() else { return false }
        if scanner.atEnd { return true }
        guard scanner.takeAny(of: [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]), scanner.time() else { return false }
        if scanner.atEnd { return true }
        if scanner.takeAny(of: [UInt8(ascii: "Z"), UInt8(ascii: "z")]) { return scanner.atEnd }
        guard scanner.takeAny(of: [UInt8(ascii: "+"), UInt8(ascii: "-")]),
              let hours = scanner.number(2), hours < 24, scanner.take(UInt8(ascii: ":")),
              let minutes = scanner.number(2), minutes < 60
        else { return false }
        return scanner.atEnd
    }

    private struct Cursor {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func takeAny(of options: [UInt8]) -> Bool {
            guard index < bytes.count, options.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }

        mutating func date() -> Bool {
            guard let year = number(4), take(UInt8(ascii: "-")), let month = number(2), take(UInt8(ascii: "-")),
                  let day = number(2), (1...12).contains(month), day >= 1
            else { return false }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let limits = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            return day <= limits[month - 1]
        }

        mutating func time() -> Bool {
            guard let hour = number(2), hour < 24, take(UInt8(ascii: ":")), let minute = number(2), minute < 60 else { return false }
            guard take(UInt8(ascii: ":")) else { return true }
            guard let second = number(2), second < 60 else { return false }
            if take(UInt8(ascii: ".")) {
                let start = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                return index > start
            }
            return true
        }
    }
}
