import ObjectStore
import TestSupport

extension ObjectStoreConformanceTests {
    /// SQLite-backed stores on temporary files.
    static var sqliteBackends: [(String, () async throws -> any ObjectStore)] {
        [("sqlite-file", {
            let path = TempFiles.path("objects")
            return try await offPool { try SQLiteObjectStore(path: path) }
        })]
    }
}
