/// The in-memory object tables (`objects`, `object_children`, `run_objects`) as one value type,
/// with §3.4's preregistration and reference-counting rules. Not synchronised: the owner keeps it
/// behind one lock (`InMemoryObjectStore`, or `InMemoryLinkState` together with its other tables so
/// that message and object changes are atomic together).
///
/// ```swift
/// var table = ObjectTable()
/// let missing = try table.preregister(runID: 7, tree: tree)   // IDs the sender must push
/// table.store(objectID: id, content: bytes)                    // after ObjectContent.verify
/// ```
public struct ObjectTable: Sendable {
    struct Entry: Sendable {
        /// `[]` until pushed.
        var content: [UInt8] = []
        var isAvailable = false
        /// Number of parent objects linking to this one.
        var refCount = 0
        /// Direct children in head order (the `object_children` rows).
        var children: [String] = []
        /// Runs that preregistered this object (the `run_objects` rows).
        var runs: Set<UInt64> = []
    }

    private var entries: [String: Entry] = [:]
    private var runObjects: [UInt64: Set<String>] = [:]

    public init() {}

    // MARK: Operations

    /// §3.4 `preregister`: every node of `tree` post-order; unknown IDs are inserted unavailable with
    /// their child links (incrementing each direct child's ref count); every ID is recorded for the
    /// run. Returns the still-unavailable IDs, post-order, each once. Throws before changing anything
    /// if an ID is malformed.
    public mutating func preregister(runID: UInt64, tree: ObjectTree) throws(ObjectStoreError) -> [String] {
        let nodes = tree.postOrder
        for node in nodes where !ObjectContent.isValidObjectID(node.objectID) {
            throw .invalidObjectID(node.objectID)
        }
        var missing: [String] = []
        var reported: Set<String> = []
        for node in nodes {
            let id = node.objectID
            if entries[id] == nil {
                var children: [String] = []
                for child in node.children.map(\.objectID) where !children.contains(child) {
                    children.append(child)
                    entries[child, default: Entry()].refCount += 1
                }
                entries[id] = Entry(children: children)
            }
            entries[id]!.runs.insert(runID)
            runObjects[runID, default: []].insert(id)
            if !entries[id]!.isAvailable, reported.insert(id).inserted {
                missing.append(id)
            }
        }
        return missing
    }

    /// Stores bytes already checked by `ObjectContent.verify`.
    public mutating func store(objectID: String, content: [UInt8]) -> PutOutcome {
        guard let entry = entries[objectID] else { return .notPreregistered }
        if entry.isAvailable { return .alreadyAvailable }
        entries[objectID]!.content = content
        entries[objectID]!.isAvailable = true
        return .stored
    }

    /// The whole `put`: verify, then store.
    public mutating func put(objectID: String, content: [UInt8]) -> PutOutcome {
        if let refused = ObjectContent.verify(objectID: objectID, content: content) { return refused }
        return store(objectID: objectID, content: content)
    }

    public func pull(objectID: String) -> PulledObject {
        guard let entry = entries[objectID] else { return .notFound }
        return PulledObject(found: true, available: entry.isAvailable, content: entry.content)
    }

    /// The tree rebuilt from child links; nil if any node is missing.
    public func tree(objectID: String) -> ObjectTree? {
        guard let entry = entries[objectID] else { return nil }
        var children: [ObjectTree] = []
        for child in entry.children {
            guard let subtree = tree(objectID: child) else { return nil }
            children.append(subtree)
        }
        return ObjectTree(objectID: objectID, children: children)
    }

    /// §3.4 `delete`: no-op if unknown or still referenced; otherwise removes the object (and its
    /// run records), decrements its children and deletes those that reach zero. True if `objectID`
    /// itself was removed.
    @discardableResult
    public mutating func delete(objectID: String) -> Bool {
        guard let entry = entries[objectID], entry.refCount <= 0 else { return false }
        var pending = [objectID]
        while let id = pending.popLast() {
            guard let removed = entries.removeValue(forKey: id) else { continue }
            for run in removed.runs {
                runObjects[run]?.remove(id)
                if runObjects[run]?.isEmpty == true { runObjects[run] = nil }
            }
            for child in removed.children {
                guard entries[child] != nil else { continue }
                entries[child]!.refCount -= 1
                if entries[child]!.refCount <= 0 { pending.append(child) }
            }
        }
        return true
    }

    /// §3.4 `delete_objects_in_run`: deletes each unreferenced object recorded for the run
    /// (recursively), then forgets the run's remaining records.
    public mutating func deleteObjects(inRun runID: UInt64) {
        guard let ids = runObjects[runID] else { return }
        for id in ids where (entries[id]?.refCount ?? 1) <= 0 {
            delete(objectID: id)
        }
        if let left = runObjects.removeValue(forKey: runID) {
            for id in left { entries[id]?.runs.remove(runID) }
        }
    }

    // MARK: Inspection (tests, diagnostics)

    public var count: Int { entries.count }
    public func contains(_ objectID: String) -> Bool { entries[objectID] != nil }
    /// Number of parents linking to the object; nil if unknown.
    public func refCount(of objectID: String) -> Int? { entries[objectID]?.refCount }
    /// IDs recorded for the run.
    public func objectIDs(inRun runID: UInt64) -> Set<String> { runObjects[runID] ?? [] }
}
