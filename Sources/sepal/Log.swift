import Foundation
import Synchronization

/// Process log in Flower's console format (`INFO :      message`), to stderr and, with
/// `--log-file`, to that file as well.
final class Log: Sendable {
    static let shared = Log()

    private struct Sink {
        var file: FileHandle?
        var path: String?
    }

    private let sink = Mutex(Sink())

    /// Why a log file could not be opened, with the system's reason (`Not a directory`, ...).
    struct FileError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "Cannot write the log file \(path): \(reason)" }
    }

    /// Also writes to `path` (appending, created if missing). Throws when it cannot be opened
    /// for writing.
    func attachFile(_ path: String) throws(FileError) {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        sink.withLock { $0.file = handle; $0.path = path }
    }

    func info(_ message: String) { write("INFO :      ", message) }
    func warning(_ message: String) { write("WARNING :   ", message) }
    func error(_ message: String) { write("ERROR :     ", message) }
    func debug(_ message: String) {
        if ProcessInfo.processInfo.environment["SEPAL_DEBUG"] != nil { write("DEBUG :     ", message) }
    }

    private func write(_ prefix: String, _ message: String) {
        let line = Array((prefix + message + "\n").utf8)
        sink.withLock { s in
            line.withUnsafeBufferPointer { _ = Foundation.write(2, $0.baseAddress, $0.count) }
            if let f = s.file { f.write(Data(line)) }
        }
    }

    func flush() {
        sink.withLock { s in try? s.file?.synchronize() }
    }
}
