import SQL

/// An `ObjectStore` in Flower's SQLite tables (`objects`, `object_children`, `run_objects`).
/// Each call is one transaction; reads run on reader connections.
///
/// ```swift
/// let store = try SQLiteObjectStore(path: "state.db")
/// let toPush = try await store.preregister(runID: 1, tree: tree)
/// ```
public final class SQLiteObjectStore: ObjectStore {
    public let database: Database

    /// Shares an open database (e.g. the LinkState's own).
    public init(database: Database) {
        self.database = database
    }

    /// Opens (creating and migrating if needed) the file. Blocks: call at startup.
    public convenience init(path: String, config: DatabaseConfig = .init()) throws(ObjectStoreError) {
        do {
            self.init(database: try Database.open(path: path, migrator: .flowerStateMigrator, config: config))
        } catch {
            throw .storage(error.description)
        }
    }

    public func preregister(runID: UInt64, tree: ObjectTree) async throws(ObjectStoreError) -> [String] {
        for node in tree.postOrder where !ObjectContent.isValidObjectID(node.objectID) {
            throw .invalidObjectID(node.objectID)
        }
        return try await write { conn in try conn.preregisterObjects(runID: runID, tree: tree) }
    }

    public func put(objectID: String, content: [UInt8]) async throws(ObjectStoreError) -> PutOutcome {
        // Hashing is O(size): do it here, not on the writer thread.
        if let refused = ObjectContent.verify(objectID: objectID, content: content) { return refused }
        return try await write { conn in try conn.storeObject(id: objectID, content: content) }
    }

    public func pull(objectID: String) async throws(ObjectStoreError) -> PulledObject {
        try await read { conn in try conn.pullObject(id: objectID) }
    }

    public func tree(objectID: String) async throws(ObjectStoreError) -> ObjectTree? {
        try await read { conn in try conn.objectTree(id: objectID) }
    }

    public func delete(objectID: String) async throws(ObjectStoreError) {
        try await write { conn in _ = try conn.deleteObject(id: objectID) }
    }

    public func deleteObjects(inRun runID: UInt64) async throws(ObjectStoreError) {
        try await write { conn in try conn.deleteObjects(inRun: runID) }
    }

    // MARK: Transactions with this layer's error type

    private func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws(ObjectStoreError) -> T {
        do { return try await database.write(body) } catch { throw Self.mapped(error) }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws(ObjectStoreError) -> T {
        do { return try await database.read(body) } catch { throw Self.mapped(error) }
    }

    static func mapped(_ error: any Error) -> ObjectStoreError {
        (error as? ObjectStoreError) ?? .storage("\(error)")
    }
}
