import Foundation
import Synchronization

/// Process log: Flower's console format (`INFO :      message`) on stderr and, with
/// `--log-file`, Flower's file format (`INFO flwr 2026-12-04 00:40:00,123 | File.swift:12 |
/// message`) in that file, rotated as `flower-superlink` rotates it (`RotatingLogFile`).
final class Log: Sendable {
    static let shared = Log()

    private let file = Mutex<RotatingLogFile?>(nil)
    /// `SEPAL_DEBUG` set: read once, not on every debug line (the environment is copied per read).
    private static let debugEnabled = ProcessInfo.processInfo.environment["SEPAL_DEBUG"] != nil

    /// Why a log file could not be opened, with the system's reason (`Not a directory`, ...).
    struct FileError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "Cannot write the log file \(path): \(reason)" }
    }

    /// Also writes to `path` (appending, created if missing), rotating every `intervalHours`
    /// and keeping `backupCount` rotated files (Flower's defaults: 24 and 7). Throws when it
    /// cannot be opened for writing.
    func attachFile(_ path: String, intervalHours: Int = 24, backupCount: Int = 7) throws(FileError) {
        let opened = try RotatingLogFile(
            path: path, intervalHours: intervalHours, backupCount: backupCount, now: Int(time(nil)))
        file.withLock { $0 = opened }
    }

    func info(_ message: String, file: String = #fileID, line: Int = #line) {
        write("INFO", message, file, line)
    }
    func warning(_ message: String, file: String = #fileID, line: Int = #line) {
        write("WARNING", message, file, line)
    }
    func error(_ message: String, file: String = #fileID, line: Int = #line) {
        write("ERROR", message, file, line)
    }
    func debug(_ message: String, file: String = #fileID, line: Int = #line) {
        if Self.debugEnabled { write("DEBUG", message, file, line) }
    }

    private func write(_ level: String, _ message: String, _ source: String, _ line: Int) {
        // Console: the level padded as Flower pads it ("INFO :      ", "WARNING :   ").
        let console = Array((level + " :" + String(repeating: " ", count: max(1, 10 - level.count)) + message + "\n").utf8)
        file.withLock { f in
            console.withUnsafeBufferPointer { _ = Foundation.write(2, $0.baseAddress, $0.count) }
            guard let f else { return }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let fileName = source.split(separator: "/").last.map(String.init) ?? source
            let entry = "\(level) flwr \(Self.asctime(now)) | \(fileName):\(line) | \(message)\n"
            f.write(Array(entry.utf8), now: Int(now.tv_sec))
        }
    }

    /// Python logging's `asctime`: local time, `YYYY-MM-DD HH:MM:SS,mmm`.
    static func asctime(_ t: timespec) -> String {
        var seconds = t.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d,%03d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(t.tv_nsec / 1_000_000))
    }

    func flush() {
        file.withLock { $0?.synchronize() }
    }
}
