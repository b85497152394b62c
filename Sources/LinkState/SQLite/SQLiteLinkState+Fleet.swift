import FlowerTime
import SQL

/// The Fleet hot paths, each one trip to one database thread.
///
/// Why: every Fleet call first checks that the signing key is bound to the node it names
/// (`nodeID(forPublicKey:)`, a read), then does its work (a write). Each `Database` call is a hop to
/// a database thread and back plus a transaction; on a 2-core machine that fixed cost is a large
/// part of a heartbeat's non-crypto CPU. Folding the key check into the statement that does the
/// work keeps the binding exactly as strict — the row must carry *this* key and *this* ID, read
/// from the file inside the same transaction — and halves the hops. Nothing is cached.
extension SQLiteLinkState {
    /// One writer transaction whose `UPDATE`s match only the row whose ID is the claimed one *and*
    /// whose key is the signing key, so a mismatch changes nothing and reads as "Invalid node ID".
    /// Any node the check would pass gets its heartbeat recorded, committed before this returns.
    ///
    /// The common case — the node is already online — touches only `online_until` and
    /// `heartbeat_interval`: SQLite rewrites an index whenever its column is assigned, even to the
    /// same value, so leaving `status` out of that statement spares a page of `idx_node_status`
    /// (a WAL frame per heartbeat) and the ISO timestamp `last_activated_at` would not use. A node
    /// that is not online takes the full transition, in the same transaction.
    public func acknowledgeNodeHeartbeat(publicKey: [UInt8], claimedNodeID: UInt64, heartbeatInterval: Double)
        async throws(LinkStateError) -> BoundHeartbeatOutcome
    {
        try await write { conn, now in
            let onlineUntil = now + FlowerConstants.heartbeatPatience * heartbeatInterval
            try conn.execute(
                "UPDATE node SET online_until = ?, heartbeat_interval = ? "
                    + "WHERE node_id = ? AND public_key = ? AND status = 'online'",
                onlineUntil, heartbeatInterval, claimedNodeID, publicKey)
            if conn.changes == 1 { return .acknowledged }
            try conn.execute(
                "UPDATE node SET online_until = ?, heartbeat_interval = ?, last_activated_at = ?, status = 'online' "
                    + "WHERE node_id = ? AND public_key = ? AND status NOT IN ('online', 'unregistered')",
                onlineUntil, heartbeatInterval, FlowerTimestamp.iso(now), claimedNodeID, publicKey)
            return conn.changes == 1 ? .acknowledged : .notBound
        }
    }

    /// An empty pull — by far the common case, a SuperNode polls every few seconds — is one read
    /// (the key check and "anything undelivered?" in one snapshot) and no write at all: with no
    /// undelivered instruction for the node, the claim's transaction would change nothing. Only
    /// when there is one does the claim run on the writer, re-checking the key in its transaction
    /// and adding the claim's traffic in it.
    public func claimInstruction(publicKey: [UInt8], claimedNodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?)
        async throws(LinkStateError) -> BoundClaimOutcome
    {
        let pending: Bool? = try await read { conn, _ in
            try conn.queryOne(
                "SELECT EXISTS (SELECT 1 FROM message_ins WHERE dst_node_id = ?1 AND delivered_at = '') "
                    + "FROM node WHERE node_id = ?1 AND public_key = ?2 AND status != 'unregistered'",
                claimedNodeID, publicKey
            ).map { $0.int64(0) == 1 }
        }
        guard let pending else { return .notBound }
        guard pending else { return .claimed(nil) }
        return try await write { conn, now in
            guard try conn.queryOne(
                "SELECT 1 FROM node WHERE node_id = ? AND public_key = ? AND status != 'unregistered'",
                claimedNodeID, publicKey) != nil
            else { return .notBound }
            return .claimed(try Self.claimInstruction(conn, nodeID: claimedNodeID, now: now, traffic: traffic))
        }
    }
}
