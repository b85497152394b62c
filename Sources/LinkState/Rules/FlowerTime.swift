import Foundation

/// Flower's time encodings (protocol §2.1): event times as Python `datetime.isoformat()` strings in
/// UTC (`2026-12-03T18:17:28.005310+00:00`, fraction dropped when zero), everything else as float
/// Unix seconds.
///
/// ```swift
/// FlowerTime.iso(1767225600.0)         // "2026-01-01T00:00:00+00:00"
/// FlowerTime.isoMillis(1767225600.5)   // "2026-01-01T00:00:00.500+00:00"
/// ```
public enum FlowerTime {
    /// Wall-clock Unix seconds: the default clock of the state implementations.
    public static let system: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// `datetime.fromtimestamp(t, UTC).isoformat()`: microseconds, omitted when zero.
    public static func iso(_ unixSeconds: Double) -> String {
        let micros = Int64((unixSeconds * 1_000_000).rounded())
        let (seconds, fraction) = floorDivMod(micros, 1_000_000)
        let base = civil(seconds)
        return fraction == 0 ? base + "+00:00" : base + "." + pad(Int(fraction), 6) + "+00:00"
    }

    /// SQLite's `strftime('%Y-%m-%dT%H:%M:%f+00:00', t, 'unixepoch')`: always milliseconds. Flower
    /// writes this form as `last_deactivated_at` when the offline sweep retires a node.
    public static func isoMillis(_ unixSeconds: Double) -> String {
        let millis = Int64((unixSeconds * 1000).rounded())
        let (seconds, fraction) = floorDivMod(millis, 1000)
        return civil(seconds) + "." + pad(Int(fraction), 3) + "+00:00"
    }

    /// `YYYY-MM-DDTHH:MM:SS` for Unix seconds (proleptic Gregorian, UTC).
    private static func civil(_ unixSeconds: Int64) -> String {
        let (days, secondOfDay) = floorDivMod(unixSeconds, 86_400)
        // Days since 1970-01-01 to civil date (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
        return pad(Int(year), 4) + "-" + pad(Int(month), 2) + "-" + pad(Int(day), 2) + "T"
            + pad(Int(hour), 2) + ":" + pad(Int(minute), 2) + ":" + pad(Int(second), 2)
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b, r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
