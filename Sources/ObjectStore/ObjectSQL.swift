import SQL

/// The ObjectStore's SQL (`objects`, `object_children`, `run_objects`, Flower's tables) as
/// operations on a `Connection` inside a caller's transaction, so `SQLiteLinkState` can combine
/// them with its own statements in one transaction (store a message + preregister its tree; stop a
/// run + delete its messages and objects). `SQLiteObjectStore` wraps each in a transaction of its own.
///
/// ```swift
/// try await db.write { conn in
///     try conn.execute("INSERT INTO message_ins ...", ...)
///     return try conn.preregisterObjects(runID: runID, tree: tree)
/// }
/// ```
extension Connection {
    /// §3.4 `preregister` (see `ObjectTable.preregister`). Throws `.invalidObjectID` before writing
    /// anything if an ID is malformed.
    public func preregisterObjects(runID: UInt64, tree: ObjectTree) throws -> [String] {
        let nodes = tree.postOrder
        for node in nodes where !ObjectContent.isValidObjectID(node.objectID) {
            throw ObjectStoreError.invalidObjectID(node.objectID)
        }
        var missing: [String] = []
        var reported: Set<String> = []
        for node in nodes {
            let id = node.objectID
            try execute(
                "INSERT INTO objects (object_id, content, is_available, ref_count) VALUES (?, ?, 0, 0) "
                    + "ON CONFLICT (object_id) DO NOTHING", id, [UInt8]())
            if changes == 1 {
                var linked: Set<String> = []
                for child in node.children.map(\.objectID) where linked.insert(child).inserted {
                    try execute("INSERT INTO object_children (parent_id, child_id) VALUES (?, ?)", id, child)
                    try execute("UPDATE objects SET ref_count = ref_count + 1 WHERE object_id = ?", child)
                }
            }
            try execute("INSERT OR IGNORE INTO run_objects (run_id, object_id) VALUES (?, ?)", runID, id)
            let available = try queryOne("SELECT is_available FROM objects WHERE object_id = ?", id)?.bool(0) ?? false
            if !available, reported.insert(id).inserted { missing.append(id) }
        }
        return missing
    }

    /// Stores bytes already checked by `ObjectContent.verify` into a preregistered object.
    public func storeObject(id: String, content: [UInt8]) throws -> PutOutcome {
        try execute(
            "UPDATE objects SET content = ?, is_available = 1 WHERE object_id = ? AND is_available = 0", content, id)
        if changes == 1 { return .stored }
        let known = try queryOne("SELECT 1 FROM objects WHERE object_id = ?", id) != nil
        return known ? .alreadyAvailable : .notPreregistered
    }

    public func pullObject(id: String) throws -> PulledObject {
        guard let row = try queryOne("SELECT content, is_available FROM objects WHERE object_id = ?", id) else {
            return .notFound
        }
        return PulledObject(found: true, available: row.bool(1) ?? false, content: row.blob(0) ?? [])
    }

    /// The tree rebuilt from `object_children` (insertion order = head order); nil if a node is missing.
    public func objectTree(id: String) throws -> ObjectTree? {
        guard try queryOne("SELECT 1 FROM objects WHERE object_id = ?", id) != nil else { return nil }
        var children: [ObjectTree] = []
        for row in try query("SELECT child_id FROM object_children WHERE parent_id = ? ORDER BY rowid", id) {
            guard let child = row.string(0), let subtree = try objectTree(id: child) else { return nil }
            children.append(subtree)
        }
        return ObjectTree(objectID: id, children: children)
    }

    /// §3.4 ref-counted `delete`; true if `id` itself was removed. Deleting a row cascades to its
    /// `object_children` and `run_objects` rows (`foreign_keys=ON`).
    @discardableResult
    public func deleteObject(id: String) throws -> Bool {
        guard let refCount = try queryOne("SELECT ref_count FROM objects WHERE object_id = ?", id)?.int64(0),
            refCount <= 0
        else { return false }
        var pending = [id]
        while let next = pending.popLast() {
            let children = try query("SELECT child_id FROM object_children WHERE parent_id = ?", next)
                .compactMap { $0.string(0) }
            try execute("DELETE FROM objects WHERE object_id = ?", next)
            for child in children {
                let left = try queryOne(
                    "UPDATE objects SET ref_count = ref_count - 1 WHERE object_id = ? RETURNING ref_count", child)
                if let left = left?.int64(0), left <= 0 { pending.append(child) }
            }
        }
        return true
    }

    /// §3.4 `delete_objects_in_run`.
    public func deleteObjects(inRun runID: UInt64) throws {
        let roots = try query(
            "SELECT o.object_id FROM run_objects r JOIN objects o ON o.object_id = r.object_id "
                + "WHERE r.run_id = ? AND o.ref_count <= 0", runID)
        for row in roots {
            if let id = row.string(0) { try deleteObject(id: id) }
        }
        try execute("DELETE FROM run_objects WHERE run_id = ?", runID)
    }
}
