import Foundation

/// The pid file of the CLI-managed local SuperLink: `$FLWR_HOME/local-superlink/superlink.pid`.
///
/// The Flower CLI starts its local SuperLink with `--storage-dir $FLWR_HOME/local-superlink/ffs`
/// and offers no way to find or stop it again (its docs say `pkill`). A SuperLink started with
/// that layout takes an exclusive `flock` on this file for its whole life and writes its PID and
/// addresses into it; `sepal local status|stop` read it. The lock, not the file's presence, says
/// whether it runs: a crashed SuperLink leaves a stale file whose lock anyone can take, and a
/// second local SuperLink for the same `FLWR_HOME` finds the lock taken and refuses to start
/// before it touches the database.
struct LocalPidFile {
    static let directoryName = "local-superlink"
    static let fileName = "superlink.pid"

    /// The pid file for a SuperLink whose storage dir is `storageDir`, if that is the local
    /// SuperLink's layout (`…/local-superlink/ffs`).
    static func path(forStorageDir storageDir: String) -> String? {
        let url = URL(fileURLWithPath: storageDir).standardizedFileURL
        let parent = url.deletingLastPathComponent()
        guard url.lastPathComponent == "ffs", parent.lastPathComponent == directoryName else { return nil }
        return parent.appendingPathComponent(fileName).path
    }

    /// The pid file of `flwrHome`'s local SuperLink.
    static func path(flwrHome: String) -> String {
        URL(fileURLWithPath: flwrHome).appendingPathComponent(directoryName).appendingPathComponent(fileName).path
    }

    /// What a running SuperLink wrote into its pid file.
    struct Contents {
        var pid: Int32
        var fields: [(String, String)]

        var text: String {
            (["pid=\(pid)"] + fields.map { "\($0.0)=\($0.1)" }).joined(separator: "\n") + "\n"
        }

        init(pid: Int32, fields: [(String, String)]) {
            self.pid = pid
            self.fields = fields
        }

        init?(text: String) {
            var pid: Int32?
            var fields: [(String, String)] = []
            for line in text.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
                if key == "pid" { pid = Int32(value) } else { fields.append((key, value)) }
            }
            guard let pid, pid > 0 else { return nil }
            self.pid = pid
            self.fields = fields
        }

        func field(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
    }

    /// A held pid file: the lock lasts as long as the process (the descriptor is close-on-exec,
    /// so children do not inherit it).
    final class Held: Sendable {
        let path: String
        private let fd: Int32

        fileprivate init(path: String, fd: Int32) {
            self.path = path
            self.fd = fd
        }

        /// Replaces the file's contents.
        func write(_ contents: Contents) {
            let bytes = Array(contents.text.utf8)
            _ = ftruncate(fd, 0)
            _ = bytes.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }

        /// Empties the file (a clean stop leaves no PID that could be mistaken for a live one).
        func clear() { _ = ftruncate(fd, 0) }
    }

    enum AcquireError: Error, CustomStringConvertible {
        case held(path: String, by: Contents?)
        case io(path: String, reason: String)

        var description: String {
            switch self {
            case .held(let path, let holder):
                let who = holder.map { "pid \($0.pid)" } ?? "another process"
                return "Another local SuperLink (\(who)) is already running for this FLWR_HOME (\(path))."
            case .io(let path, let reason): return "Cannot use the pid file \(path): \(reason)"
            }
        }
    }

    /// Takes the lock (creating the directory and file if needed), or says who holds it.
    static func acquire(_ path: String) throws(AcquireError) -> Held {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK { throw .held(path: path, by: read(path)) }
            throw .io(path: path, reason: String(cString: strerror(reason)))
        }
        return Held(path: path, fd: fd)
    }

    /// The contents of `path`, if it parses.
    static func read(_ path: String) -> Contents? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Contents(text: String(decoding: data, as: UTF8.self))
    }

    enum Status {
        case notRunning
        /// Running; the contents are nil while the SuperLink is still writing them.
        case running(Contents?)
    }

    /// Waits until the holder of `path` serves — its contents name the bound Control address,
    /// written once every API listens. False if it stopped holding the lock, or on `timeout`.
    static func waitUntilServing(_ path: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch status(path) {
            case .notRunning: return false
            case .running(let contents) where contents?.field("control") != nil: return true
            case .running: Thread.sleep(forTimeInterval: 0.05)
            }
        }
        return false
    }

    /// Whether a SuperLink holds `path`'s lock (a missing or stale file: not running).
    static func status(_ path: String) -> Status {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .notRunning }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .notRunning
        }
        return .running(read(path))
    }
}
