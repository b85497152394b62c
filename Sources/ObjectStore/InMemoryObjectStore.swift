import Synchronization

/// An `ObjectStore` held in memory behind one lock (Flower's `InMemoryObjectStore`).
///
/// ```swift
/// let store = InMemoryObjectStore()
/// let toPush = try await store.preregister(runID: 1, tree: tree)
/// ```
public final class InMemoryObjectStore: ObjectStore {
    private let table = Mutex(ObjectTable())

    public init() {}

    public func preregister(runID: UInt64, tree: ObjectTree) async throws(ObjectStoreError) -> [String] {
        try table.withLock { (t: inout ObjectTable) throws(ObjectStoreError) in
            try t.preregister(runID: runID, tree: tree)
        }
    }

    public func put(objectID: String, content: [UInt8]) async throws(ObjectStoreError) -> PutOutcome {
        // Hash and format checks run outside the lock: they cost O(size).
        if let refused = ObjectContent.verify(objectID: objectID, content: content) { return refused }
        return table.withLock { $0.store(objectID: objectID, content: content) }
    }

    public func pull(objectID: String) async throws(ObjectStoreError) -> PulledObject {
        table.withLock { $0.pull(objectID: objectID) }
    }

    public func tree(objectID: String) async throws(ObjectStoreError) -> ObjectTree? {
        table.withLock { $0.tree(objectID: objectID) }
    }

    public func delete(objectID: String) async throws(ObjectStoreError) {
        table.withLock { _ = $0.delete(objectID: objectID) }
    }

    public func deleteObjects(inRun runID: UInt64) async throws(ObjectStoreError) {
        table.withLock { $0.deleteObjects(inRun: runID) }
    }

    /// A copy of the tables (tests, diagnostics).
    public var snapshot: ObjectTable { table.withLock { $0 } }
}
