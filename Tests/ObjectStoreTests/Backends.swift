import ObjectStore

extension ObjectStoreConformanceTests {
    /// SQLite-backed stores (added once the SQL layer lands).
    static var sqliteBackends: [(String, () throws -> any ObjectStore)] { [] }
}
