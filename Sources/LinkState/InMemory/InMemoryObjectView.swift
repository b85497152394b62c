import ObjectStore

/// `InMemoryLinkState.objects`: the ObjectStore protocol over the link state's own object table,
/// under the same lock as messages and runs.
struct InMemoryObjectView: ObjectStore {
    let tables: LockedLinkTables

    func preregister(runID: UInt64, tree: ObjectTree) async throws(ObjectStoreError) -> [String] {
        try tables.withLock { (t: inout LinkTables) throws(ObjectStoreError) in
            try t.objects.preregister(runID: runID, tree: tree)
        }
    }

    func put(objectID: String, content: [UInt8]) async throws(ObjectStoreError) -> PutOutcome {
        if let refused = ObjectContent.verify(objectID: objectID, content: content) { return refused }
        return tables.withLock { $0.objects.store(objectID: objectID, content: content) }
    }

    func pull(objectID: String) async throws(ObjectStoreError) -> PulledObject {
        tables.withLock { $0.objects.pull(objectID: objectID) }
    }

    func tree(objectID: String) async throws(ObjectStoreError) -> ObjectTree? {
        tables.withLock { $0.objects.tree(objectID: objectID) }
    }

    func delete(objectID: String) async throws(ObjectStoreError) {
        tables.withLock { _ = $0.objects.delete(objectID: objectID) }
    }

    func deleteObjects(inRun runID: UInt64) async throws(ObjectStoreError) {
        tables.withLock { $0.objects.deleteObjects(inRun: runID) }
    }
}
