import FlowerProto

/// Flower's stateless message checks (`validate_message`, protocol §2.5), applied to
/// instructions (ServerApp → node) and replies (node → ServerApp) before anything is stored.
enum MessageValidation {
    /// Messages created before this instant (28 Feb 2025) are refused.
    static let minimumCreatedAt = 1_740_700_800.0

    enum Direction { case instruction, reply }

    /// The list of problems (empty = valid), in Flower's order and words (observed from
    /// `flwr.server.utils.validator` 1.28). The message-type and content/error rules are Flower's
    /// `Message` constructor checks, which the servicers hit while converting from protobuf.
    static func problems(_ message: FlwrMessage, direction: Direction, now: Double) -> [String] {
        var out: [String] = []
        guard let md = message.metadata else { return ["`metadata` must be set"] }
        if md.messageID.isEmpty { out.append("empty `metadata.message_id`") }
        if md.createdAt < minimumCreatedAt {
            out.append(
                "`metadata.created_at` must be a float that records the unix timestamp in seconds when the message was created.")
        }
        if !(md.ttl > 0) { out.append("`metadata.ttl` must be higher than zero") }
        if !(md.createdAt + md.ttl >= now) { out.append("Message TTL has expired") }
        if md.srcNodeID == 0 { out.append("`metadata.src_node_id` is not set.") }
        if md.dstNodeID == 0 { out.append("`metadata.dst_node_id` is not set.") }
        switch direction {
        case .instruction:
            if !md.replyToMessageID.isEmpty { out.append("`metadata.reply_to_message_id` MUST not be set.") }
            if md.srcNodeID != superLinkNodeID { out.append("`metadata.src_node_id` is not 1 (SuperLink node ID)") }
            if md.dstNodeID == superLinkNodeID { out.append("`metadata.dst_node_id` is 1 (SuperLink node ID)") }
        case .reply:
            if md.replyToMessageID.isEmpty { out.append("`metadata.reply_to_message_id` MUST be set.") }
            if md.srcNodeID == superLinkNodeID { out.append("`metadata.src_node_id` is 1 (SuperLink node ID)") }
            if md.dstNodeID != superLinkNodeID { out.append("`metadata.dst_node_id` is not 1 (SuperLink node ID)") }
        }
        if md.messageType.isEmpty { out.append("`metadata.message_type` must be set") }
        let hasContent = message.content != nil
        let hasError = message.error != nil
        if hasContent == hasError { out.append("Either message `content` or `error` must be set (but not both)") }
        return out
    }
}

/// The SuperLink's own node ID (`SUPERLINK_NODE_ID`).
let superLinkNodeID: UInt64 = 1
