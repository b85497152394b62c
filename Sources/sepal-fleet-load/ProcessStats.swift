import Foundation

/// CPU time and memory of another process, read from /proc.
struct ProcessStats {
    /// utime + stime in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid(1) ... utime(11) stime(12).
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (u + s) / ticks
    }

    /// A `/proc/PID/status` field in KiB (e.g. "VmRSS", "VmHWM").
    static func statusKiB(_ pid: Int32, _ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let v = Double(parts[1]) { return v }
        }
        return nil
    }

    /// RSS of the process and all its descendants' (threads are included by /proc already).
    static func rssMiB(_ pid: Int32) -> Double? {
        statusKiB(pid, "VmRSS").map { $0 / 1024 }
    }

    static func peakRSSMiB(_ pid: Int32) -> Double? {
        statusKiB(pid, "VmHWM").map { $0 / 1024 }
    }
}
