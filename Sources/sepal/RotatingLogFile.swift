import Foundation

/// The SuperLink's `--log-file`, rotated on a fixed schedule exactly as `flower-superlink` does
/// it (Python's `TimedRotatingFileHandler(when="H", interval=N, backupCount=K, utc=True)`), so
/// log shippers and cleanup scripts written for Flower see the same files:
///
/// * the first rotation is due `N` hours after the file's last modification (or after start,
///   for a new file); later ones `N` hours after the previous rotation;
/// * the current file is renamed to `<file>.YYYY-MM-DD_HH`, the UTC start of the interval it
///   covered (an existing file of that name is replaced), and a new file is opened;
/// * of the renamed files (`<file>.` + that pattern, optionally one more `.suffix`), only the
///   `K` newest are kept.
///
/// Times are whole Unix seconds, as in Python's handler.
///
/// `@unchecked Sendable` invariant: not thread-safe by itself; `Log` owns the only shared
/// instance and touches it only under its `Mutex`.
final class RotatingLogFile: @unchecked Sendable {
    let path: String
    let intervalSeconds: Int
    let backupCount: Int
    private var fd: Int32
    /// When the next rotation is due.
    private(set) var rolloverAt: Int

    /// Opens (appending, creating if missing) `path`. Throws the system's reason if it cannot.
    init(path: String, intervalHours: Int, backupCount: Int, now: Int) throws(Log.FileError) {
        self.path = path
        self.intervalSeconds = max(1, intervalHours) * 3600
        self.backupCount = backupCount
        var info = stat()
        let since = stat(path, &info) == 0 ? Int(info.st_mtim.tv_sec) : now
        fd = try Self.open(path)
        rolloverAt = since + intervalSeconds
    }

    deinit { Foundation.close(fd) }

    /// Appends `bytes`, rotating first if the rotation is due at `now`.
    func write(_ bytes: [UInt8], now: Int) {
        if now >= rolloverAt { rotate(now: now) }
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }  // disk full or similar: the line is dropped, not the process
                offset += n
            }
        }
    }

    func synchronize() { _ = fsync(fd) }

    private func rotate(now: Int) {
        // Python skips the rotation (and re-arms it) when the path is not a regular file.
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            rolloverAt = now + intervalSeconds
            return
        }
        let target = path + "." + Self.suffix(forIntervalStart: rolloverAt - intervalSeconds)
        Foundation.close(fd)
        unlink(target)
        rename(path, target)
        deleteExpiredBackups()
        if let reopened = try? Self.open(path) {
            fd = reopened
        } else {
            fd = -1  // writes fail quietly until the next rotation succeeds; stderr still has the log
        }
        var next = now + intervalSeconds
        while next <= now { next += intervalSeconds }
        rolloverAt = next
    }

    /// The rotated files of `path`, oldest first.
    func backups() -> [String] {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names
            .filter { $0.hasPrefix(prefix) && Self.isBackupSuffix($0.dropFirst(prefix.count)) }
            .sorted()
            .map { directory + "/" + $0 }
    }

    private func deleteExpiredBackups() {
        guard backupCount > 0 else { return }
        let all = backups()
        guard all.count > backupCount else { return }
        for old in all.prefix(all.count - backupCount) { unlink(old) }
    }

    /// `YYYY-MM-DD_HH` of a Unix time, in UTC.
    static func suffix(forIntervalStart seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02d_%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour))
    }

    /// `\d{4}-\d{2}-\d{2}_\d{2}` optionally followed by `.` and word characters.
    static func isBackupSuffix(_ s: Substring) -> Bool {
        let chars = Array(s.utf8)
        guard chars.count >= 13 else { return false }
        let shape = Array("dddd-dd-dd_dd".utf8)
        for (c, want) in zip(chars, shape) {
            if want == UInt8(ascii: "d") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return false }
            } else if c != want {
                return false
            }
        }
        let rest = chars.dropFirst(13)
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: "."), rest.count > 1 else { return false }
        return rest.dropFirst().allSatisfy { c in
            c == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
        }
    }

    private static func open(_ path: String) throws(Log.FileError) -> Int32 {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Log.FileError(path: path, reason: String(cString: strerror(errno))) }
        return fd
    }
}
