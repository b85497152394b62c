#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flower's timestamp strings (protocol §2.1): event times and node-auth metadata are Python
/// `datetime.isoformat()` of an aware UTC datetime (`2026-12-03T18:17:28.005310+00:00`, fraction
/// dropped when zero); `last_deactivated_at` written by the offline sweep is SQLite's
/// millisecond form. Also the subset of `datetime.fromisoformat` that reads them back.
///
/// ```swift
/// FlowerTimestamp.iso(1767225600.0)         // "2026-01-01T00:00:00+00:00"
/// FlowerTimestamp.isoMillis(1767225600.5)   // "2026-01-01T00:00:00.500+00:00"
/// FlowerTimestamp.parse("2026-01-01T00:00:00Z")   // 1767225600.0
/// ```
public enum FlowerTimestamp {
    /// Python `datetime.fromtimestamp(t, UTC).isoformat()`: "2026-12-03T18:17:28.005310+00:00";
    /// the ".ffffff" part is omitted when microseconds == 0.
    ///
    /// Rounds to the microsecond half-to-even, as `datetime.fromtimestamp` does.
    public static func iso(_ unixSeconds: Double) -> String {
        var whole = unixSeconds.rounded(.towardZero)
        var micros = ((unixSeconds - whole) * 1_000_000).rounded(.toNearestOrEven)
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        } else if micros < 0 {
            whole -= 1
            micros += 1_000_000
        }
        let text = civil(Int64(whole))
        return micros == 0 ? text + "+00:00" : text + "." + pad(Int64(micros), 6) + "+00:00"
    }

    /// SQLite's `strftime('%Y-%m-%dT%H:%M:%f+00:00', t, 'unixepoch')`: always milliseconds. Flower
    /// writes this form as `last_deactivated_at` when the offline sweep retires a node.
    public static func isoMillis(_ unixSeconds: Double) -> String {
        let millis = Int64((unixSeconds * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        return civil(seconds) + "." + pad(millis - seconds * 1000, 3) + "+00:00"
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

    /// `YYYY-MM-DDTHH:MM:SS` for whole Unix seconds (proleptic Gregorian, UTC).
    private static func civil(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
