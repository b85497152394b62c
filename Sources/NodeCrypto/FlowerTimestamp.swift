#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The timestamp format of node-auth metadata: Python's `datetime.isoformat()` of an
/// aware UTC datetime, and the subset of `datetime.fromisoformat` that reads it back.
public enum FlowerTimestamp {
    /// Python `datetime.isoformat()` of a UTC instant: "2026-12-03T18:17:28.005310+00:00"; the ".ffffff" part is omitted when microseconds == 0.
    ///
    /// Rounds to the microsecond half-to-even, as `datetime.fromtimestamp` does.
    public static func isoformat(unixSeconds: Double) -> String {
        var whole = unixSeconds.rounded(.towardZero)
        var micros = ((unixSeconds - whole) * 1_000_000).rounded(.toNearestOrEven)
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        } else if micros < 0 {
            whole -= 1
            micros += 1_000_000
        }
        let seconds = Int64(whole)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if micros != 0 { text += "." + pad(Int64(micros), 6) }
        return text + "+00:00"
    }

    /// Parses what Python's datetime.fromisoformat accepts for these (with offset +HH:MM / Z, optional fraction 1-6 digits); returns unix seconds.
    ///
    /// Accepted: `YYYY-MM-DD`, any single separator character, `HH[:MM[:SS[(.|,)f…]]]`
    /// (fraction digits beyond six are truncated, as in Python 3.11), then `Z` or
    /// `±HH[[:]MM[:SS[.ffffff]]]`. A naive time (no offset) returns nil: it names no instant.
    public static func parse(_ s: String) -> Double? {
        var scanner = DigitScanner(Array(s.utf8))
        guard let year = scanner.digits(4), scanner.take("-"),
              let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2),
              (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
              scanner.skipAny(),
              let (secondOfDay, micros) = parseTime(&scanner),
              let offset = parseOffset(&scanner), scanner.atEnd
        else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let totalMicros = (days * 86_400 + secondOfDay - offset.seconds) * 1_000_000 + micros - offset.micros
        return Double(totalMicros) / 1_000_000
    }

    /// The current time, unix seconds with microsecond resolution.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec / 1000) / 1_000_000
    }

    private static func parseTime(_ scanner: inout DigitScanner) -> (Int64, Int64)? {
        guard let hour = scanner.digits(2), hour < 24 else { return nil }
        var minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0
        if scanner.take(":") {
            guard let m = scanner.digits(2), m < 60 else { return nil }
            minute = m
            if scanner.take(":") {
                guard let sec = scanner.digits(2), sec < 60 else { return nil }
                second = sec
                if scanner.take(".") || scanner.take(",") {
                    guard let fraction = scanner.fraction() else { return nil }
                    micros = fraction
                }
            }
        }
        return (hour * 3600 + minute * 60 + second, micros)
    }

    /// UTC offset as (seconds, microseconds), both signed the same way; nil if absent or bad.
    private static func parseOffset(_ scanner: inout DigitScanner) -> (seconds: Int64, micros: Int64)? {
        if scanner.take("Z") { return (0, 0) }
        let sign: Int64
        if scanner.take("+") { sign = 1 } else if scanner.take("-") { sign = -1 } else { return nil }
        guard let hours = scanner.digits(2), hours < 24 else { return nil }
        var minutes: Int64 = 0, seconds: Int64 = 0, micros: Int64 = 0
        if scanner.take(":") {
            guard let m = scanner.digits(2), m < 60 else { return nil }
            minutes = m
            if scanner.take(":") {
                guard let sec = scanner.digits(2), sec < 60 else { return nil }
                seconds = sec
                if scanner.take(".") {
                    guard let fraction = scanner.fraction() else { return nil }
                    micros = fraction
                }
            }
        } else if let m = scanner.digits(2) {
            guard m < 60 else { return nil }
            minutes = m
        }
        return (sign * (hours * 3600 + minutes * 60 + seconds), sign * micros)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Proleptic Gregorian day numbers relative to 1970-01-01 (H. Hinnant's algorithms).
enum CivilCalendar {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A cursor over ASCII bytes for fixed-width numeric fields.
struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Skips one character (Python 3.11 accepts any single separator between date and time).
    mutating func skipAny() -> Bool {
        guard index < bytes.count, bytes[index] < 0x80 else { return false }
        index += 1
        return true
    }

    /// Exactly `count` ASCII digits as a number.
    mutating func digits(_ count: Int) -> Int64? {
        guard index + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + count] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        index += count
        return value
    }

    /// One or more digits of a decimal fraction, as microseconds (truncated past six digits).
    mutating func fraction() -> Int64? {
        var micros: Int64 = 0
        var count = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            if count < 6 { micros = micros * 10 + Int64(bytes[index] - 0x30) }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 6) { micros *= 10 }
        return micros
    }
}
