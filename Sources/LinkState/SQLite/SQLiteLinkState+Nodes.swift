import FlowerTime
import SQL

extension SQLiteLinkState {
    public func createNode(publicKey: [UInt8], ownerAid: String, ownerName: String, heartbeatInterval: Double)
        async throws(LinkStateError) -> UInt64
    {
        try await write { conn, now in
            if try conn.queryOne("SELECT 1 FROM node WHERE public_key = ?", publicKey) != nil {
                throw LinkStateError.publicKeyInUse
            }
            while true {
                let id = RandomIDs.nodeOrRunID()
                do {
                    try conn.execute(
                        "INSERT INTO node (node_id, owner_aid, owner_name, status, registered_at, last_activated_at, "
                            + "last_deactivated_at, unregistered_at, online_until, heartbeat_interval, public_key) "
                            + "VALUES (?, ?, ?, 'registered', ?, NULL, NULL, NULL, NULL, ?, ?)",
                        id, ownerAid, ownerName, FlowerTimestamp.iso(now), heartbeatInterval, publicKey)
                    return id
                } catch {
                    guard (error as? SQLError)?.isUniqueViolation == true else { throw error }
                    continue  // node_id collision (the key was checked above): draw again
                }
            }
        }
    }

    public func activateNode(publicKey: [UInt8], heartbeatInterval: Double) async throws(LinkStateError)
        -> ActivateNodeOutcome
    {
        try await write { conn, now in
            // Unregistered nodes keep their key but are not found by it (as Flower's lookup).
            guard let id = try conn.queryOne(
                "SELECT node_id FROM node WHERE public_key = ? AND status != 'unregistered'", publicKey)?.uint64(0)
            else { return .unknownKey }
            try conn.sweepNode(id, now: now)
            try conn.execute(
                "UPDATE node SET status = 'online', last_activated_at = ?, online_until = ?, heartbeat_interval = ? "
                    + "WHERE node_id = ? AND status IN ('registered', 'offline')",
                FlowerTimestamp.iso(now), now + FlowerConstants.heartbeatPatience * heartbeatInterval, heartbeatInterval, id)
            return conn.changes == 1 ? .activated(nodeID: id) : .notActivatable(nodeID: id)
        }
    }

    public func deactivateNode(nodeID: UInt64) async throws(LinkStateError) -> Bool {
        try await write { conn, now in
            try conn.sweepNode(nodeID, now: now)
            try conn.execute(
                "UPDATE node SET status = 'offline', last_deactivated_at = ?, online_until = ? "
                    + "WHERE node_id = ? AND status = 'online'", FlowerTimestamp.iso(now), now, nodeID)
            return conn.changes == 1
        }
    }

    public func unregisterNode(nodeID: UInt64, ownerAid: String) async throws(LinkStateError) -> Bool {
        try await write { conn, now in
            try conn.execute(
                "UPDATE node SET status = 'unregistered', unregistered_at = ?, online_until = MIN(online_until, ?) "
                    + "WHERE node_id = ? AND status != 'unregistered' AND owner_aid = ?",
                FlowerTimestamp.iso(now), now, nodeID, ownerAid)
            return conn.changes == 1
        }
    }

    /// The hot path: one UPDATE, no sweep.
    public func acknowledgeNodeHeartbeat(nodeID: UInt64, heartbeatInterval: Double) async throws(LinkStateError) -> Bool {
        try await write { conn, now in
            try conn.execute(
                "UPDATE node SET online_until = ?, heartbeat_interval = ?, "
                    + "last_activated_at = CASE WHEN status = 'online' THEN last_activated_at ELSE ? END, "
                    + "status = 'online' WHERE node_id = ? AND status != 'unregistered'",
                now + FlowerConstants.heartbeatPatience * heartbeatInterval, heartbeatInterval, FlowerTimestamp.iso(now),
                nodeID)
            return conn.changes == 1
        }
    }

    /// The other hot path: one indexed SELECT (`public_key` is UNIQUE).
    public func nodeID(forPublicKey publicKey: [UInt8]) async throws(LinkStateError) -> UInt64? {
        try await read { conn, _ in
            try conn.queryOne("SELECT node_id FROM node WHERE public_key = ? AND status != 'unregistered'", publicKey)?
                .uint64(0)
        }
    }

    public func nodes(ownerAid: String) async throws(LinkStateError) -> [NodeRecord] {
        let select = "SELECT \(LinkRows.nodeColumns) FROM node WHERE owner_aid = ? ORDER BY rowid"
        return try await readUnlessSweepDue({ conn, now in
            let nodes = try conn.query(select, ownerAid).map(LinkRows.node)
            return nodes.contains { Self.isOverdue($0, now: now) } ? nil : nodes
        }, orSweep: { conn, now in
            try conn.execute(
                "UPDATE node SET status = 'offline', "
                    + "last_deactivated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', online_until, 'unixepoch') "
                    + "WHERE owner_aid = ? AND status = 'online' AND online_until <= ?", ownerAid, now)
            return try conn.query(select, ownerAid).map(LinkRows.node)
        })
    }

    public func node(_ nodeID: UInt64) async throws(LinkStateError) -> NodeRecord? {
        try await readUnlessSweepDue({ conn, now in
            let node = try conn.fetchNode(nodeID)
            if let node, Self.isOverdue(node, now: now) { return nil }
            return .some(node)
        }, orSweep: { conn, now in
            try conn.sweepNode(nodeID, now: now)
            return try conn.fetchNode(nodeID)
        })
    }

    public func onlineNodeIDs(runID: UInt64) async throws(LinkStateError) -> [UInt64]? {
        try await read { conn, now in
            guard try conn.runExists(runID) else { return nil }
            // Same answer as sweeping first: online and not yet past online_until.
            return try conn.query("SELECT node_id FROM node WHERE status = 'online' AND online_until > ?", now)
                .compactMap { $0.uint64(0) }.sorted()
        }
    }

    /// An `online` node the offline sweep would retire.
    static func isOverdue(_ node: NodeRecord, now: Double) -> Bool {
        node.status == .online && (node.onlineUntil ?? 0) <= now
    }
}
