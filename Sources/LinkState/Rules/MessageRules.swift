import ObjectStore

/// The state-level checks on stored messages (protocol §2.5), shared by both implementations so
/// they refuse exactly the same things.
public enum MessageRules {
    /// A message is expired once `created_at + ttl` lies in the past.
    public static func isExpired(_ row: MessageRow, now: Double) -> Bool {
        row.expiresAt < now
    }

    /// Why an instruction cannot be stored for `runID`, or nil. The destination's status is checked
    /// separately (it needs the node table).
    public static func instructionProblem(_ m: MessageWithTree, runID: UInt64, now: Double) -> String? {
        let row = m.message
        if row.runID != runID { return "run_id mismatch" }
        if row.srcNodeID != FlowerConstants.superLinkNodeID { return "src_node_id must be the SuperLink" }
        if row.dstNodeID == FlowerConstants.superLinkNodeID || row.dstNodeID == 0 { return "invalid dst_node_id" }
        if !row.replyToMessageID.isEmpty { return "an instruction has no reply_to_message_id" }
        return commonProblem(m, now: now)
    }

    /// Why a reply pushed by `nodeID` is malformed, or nil (instruction-independent checks).
    public static func replyProblem(_ m: MessageWithTree, fromNode nodeID: UInt64, now: Double) -> String? {
        let row = m.message
        if row.srcNodeID != nodeID { return "The reply's src_node_id is not the sending node" }
        if row.dstNodeID != FlowerConstants.superLinkNodeID { return "A reply's dst_node_id must be the SuperLink" }
        if row.replyToMessageID.isEmpty { return "A reply needs reply_to_message_id" }
        return commonProblem(m, now: now)
    }

    /// Why a reply does not fit its instruction, or nil: the instruction must be unexpired, of the
    /// same run, addressed to the replying node, and the reply may outlive it by at most 0.1 s.
    public static func pairingProblem(reply: MessageRow, instruction: MessageRow?, now: Double) -> String? {
        guard let ins = instruction, !isExpired(ins, now: now) else {
            return "The instruction message does not exist or has expired"
        }
        if ins.runID != reply.runID { return "The instruction belongs to another run" }
        if ins.dstNodeID != reply.srcNodeID { return "The instruction was not addressed to this node" }
        if reply.expiresAt - ins.expiresAt > FlowerConstants.messageTTLTolerance {
            return "The reply's TTL exceeds the instruction's remaining lifetime"
        }
        return nil
    }

    private static func commonProblem(_ m: MessageWithTree, now: Double) -> String? {
        let row = m.message
        if row.messageID.isEmpty { return "empty message_id" }
        if row.messageID != m.tree.objectID { return "message_id is not the object tree's root" }
        if row.ttl <= 0 { return "ttl must be positive" }
        if isExpired(row, now: now) { return "The message has expired" }
        if row.messageType.isEmpty { return "empty message_type" }
        return nil
    }

    /// Every ID in the tree is well-formed (else the whole call fails with `.invalidObjectID`).
    static func checkTreeIDs(_ tree: ObjectTree) throws(LinkStateError) {
        for node in tree.postOrder where !ObjectContent.isValidObjectID(node.objectID) {
            throw .invalidObjectID(node.objectID)
        }
    }
}
