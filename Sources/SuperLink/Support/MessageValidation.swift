import FlowerProto

/// Flower's stateless message checks (`validate_message`, protocol §2.5), applied to
/// instructions (ServerApp → node) and replies (node → ServerApp) before anything is stored.
enum MessageValidation {
    /// Messages created before this instant (28 Feb 2025) are refused.
    static let minimumCreatedAt = 1_740_700_800.0

    enum Direction { case instruction, reply }

    /// The list of problems (empty = valid), worded like Flower's validator.
    static func problems(_ message: FlwrMessage, direction: Direction, now: Double) -> [String] {
        var out: [String] = []
        guard let md = message.metadata else { return ["`metadata` must be set"] }
        if md.messageID.isEmpty { out.append("empty `metadata.message_id`") }
        if md.createdAt < minimumCreatedAt { out.append("`metadata.created_at` must be a valid timestamp") }
        if md.ttl <= 0 { out.append("`metadata.ttl` must be higher than zero") }
        if md.ttl > 0 && md.createdAt + md.ttl < now { out.append("Message TTL has expired") }
        if md.srcNodeID == 0 { out.append("`metadata.src_node_id` must not be 0") }
        if md.dstNodeID == 0 { out.append("`metadata.dst_node_id` must not be 0") }
        if md.messageType.isEmpty { out.append("`metadata.message_type` must be set") }
        let hasContent = message.content != nil
        let hasError = message.error != nil
        if hasContent == hasError { out.append("Either message `content` or `error` must be set (but not both)") }
        switch direction {
        case .instruction:
            if !md.replyToMessageID.isEmpty { out.append("`metadata.reply_to_message_id` must be empty") }
            if md.srcNodeID != superLinkNodeID { out.append("`metadata.src_node_id` must be \(superLinkNodeID)") }
            if md.dstNodeID == superLinkNodeID { out.append("`metadata.dst_node_id` must not be \(superLinkNodeID)") }
        case .reply:
            if md.replyToMessageID.isEmpty { out.append("`metadata.reply_to_message_id` must be set") }
            if md.srcNodeID == superLinkNodeID { out.append("`metadata.src_node_id` must not be \(superLinkNodeID)") }
            if md.dstNodeID != superLinkNodeID { out.append("`metadata.dst_node_id` must be \(superLinkNodeID)") }
        }
        return out
    }
}

/// The SuperLink's own node ID (`SUPERLINK_NODE_ID`).
let superLinkNodeID: UInt64 = 1
