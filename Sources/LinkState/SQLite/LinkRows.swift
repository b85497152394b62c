import SQL

/// Column lists and row decoding for Flower's `node`, `run` and `message_*` tables. Decoding is
/// lenient about NULLs so rows written by Flower itself read back.
enum LinkRows {
    static let nodeColumns = """
        node_id, owner_aid, owner_name, status, registered_at, last_activated_at, last_deactivated_at, \
        unregistered_at, online_until, heartbeat_interval, public_key
        """

    static func node(_ r: Row) -> NodeRecord {
        NodeRecord(
            nodeID: r.uint64(0) ?? 0, ownerAid: r.string(1) ?? "", ownerName: r.string(2) ?? "",
            status: NodeStatus(rawValue: r.string(3) ?? "") ?? .unregistered, registeredAt: r.string(4) ?? "",
            lastActivatedAt: r.string(5), lastDeactivatedAt: r.string(6), unregisteredAt: r.string(7),
            onlineUntil: r.double(8), heartbeatInterval: r.double(9) ?? 0, publicKey: r.blob(10) ?? [])
    }

    static let runColumns = """
        run_id, fab_id, fab_version, fab_hash, override_config, pending_at, starting_at, running_at, \
        finished_at, sub_status, details, federation, flwr_aid, bytes_sent, bytes_recv, clientapp_runtime, \
        run_type, federation_config
        """

    static func run(_ r: Row) -> RunRecord {
        RunRecord(
            runID: r.uint64(0) ?? 0, fabID: r.string(1) ?? "", fabVersion: r.string(2) ?? "",
            fabHash: r.string(3) ?? "", overrideConfigJSON: r.string(4) ?? "{}", pendingAt: r.string(5) ?? "",
            startingAt: r.string(6) ?? "", runningAt: r.string(7) ?? "", finishedAt: r.string(8) ?? "",
            subStatus: r.string(9) ?? "", details: r.string(10) ?? "", federation: r.string(11) ?? "",
            flwrAid: r.string(12) ?? "", bytesSent: r.uint64(13) ?? 0, bytesRecv: r.uint64(14) ?? 0,
            clientappRuntime: r.double(15) ?? 0, runType: r.string(16) ?? "serverapp",
            federationConfigJSON: r.string(17))
    }

    static let messageColumns = """
        message_id, group_id, run_id, src_node_id, dst_node_id, reply_to_message_id, created_at, \
        delivered_at, ttl, message_type, content, error
        """

    static func message(_ r: Row) -> MessageRow {
        MessageRow(
            messageID: r.string(0) ?? "", groupID: r.string(1) ?? "", runID: r.uint64(2) ?? 0,
            srcNodeID: r.uint64(3) ?? 0, dstNodeID: r.uint64(4) ?? 0, replyToMessageID: r.string(5) ?? "",
            createdAt: r.double(6) ?? 0, deliveredAt: r.string(7) ?? "", ttl: r.double(8) ?? 0,
            messageType: r.string(9) ?? "", content: r.blob(10), error: r.blob(11))
    }

    /// `message` binds for `INSERT INTO message_* (messageColumns) VALUES (12 × ?)`.
    static func messageValues(_ m: MessageRow) -> [SQLBindable?] {
        [m.messageID, m.groupID, m.runID, m.srcNodeID, m.dstNodeID, m.replyToMessageID, m.createdAt,
         m.deliveredAt, m.ttl, m.messageType, m.content, m.error]
    }
}
