import Foundation
import Synchronization

/// Temporary database files, removed after each test (`removeAll`).
public enum TempFiles {
    private static let made = Mutex<[String]>([])

    public static func path(_ prefix: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sepal-state-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("\(prefix)-\(UUID().uuidString).db").path
        made.withLock { $0.append(path) }
        return path
    }

    public static func removeAll() {
        let paths = made.withLock { list in defer { list = [] }; return list }
        for p in paths {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: p + suffix) }
        }
    }
}
