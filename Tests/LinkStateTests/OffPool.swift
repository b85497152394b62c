import Foundation
import Synchronization

/// Runs blocking work (opening a SQLite file) on a thread of its own, never on the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Temporary database files, removed after each test.
enum TempFiles {
    private static let made = Mutex<[String]>([])

    static func path(_ prefix: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sepal-state-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("\(prefix)-\(UUID().uuidString).db").path
        made.withLock { $0.append(path) }
        return path
    }

    static func removeAll() {
        let paths = made.withLock { list in defer { list = [] }; return list }
        for p in paths {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: p + suffix) }
        }
    }
}
