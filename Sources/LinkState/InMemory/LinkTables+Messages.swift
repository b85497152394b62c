import FlowerTime
import ObjectStore

extension LinkTables {
    mutating func storeInstructions(_ runID: UInt64, _ messages: [MessageWithTree], now: Double)
        throws(LinkStateError) -> StoreInstructionsOutcome
    {
        for m in messages { try MessageRules.checkTreeIDs(m.tree) }
        if let refused = gate(runID, now: now) { return .refused(refused) }
        var ids: [String] = []
        var toPush: [String] = []
        var seen: Set<String> = []
        for m in messages {
            guard MessageRules.instructionProblem(m, runID: runID, now: now) == nil,
                let dst = nodes[m.message.dstNodeID]?.record,
                dst.status == .online || dst.status == .offline,
                instructions[m.message.messageID] == nil
            else {
                ids.append("")
                continue
            }
            var row = m.message
            row.deliveredAt = ""
            instructions[row.messageID] = StoredInstruction(row: row, seq: nextSeq())
            undeliveredByNode[row.dstNodeID, default: []].append(row.messageID)
            ids.append(row.messageID)
            let missing = try preregister(runID: runID, tree: m.tree)
            for id in missing where seen.insert(id).inserted { toPush.append(id) }
        }
        return .stored(messageIDs: ids, objectsToPush: toPush)
    }

    mutating func claimInstruction(forNode nodeID: UInt64, now: Double) -> MessageWithTree? {
        guard var queue = undeliveredByNode[nodeID] else { return nil }
        defer { undeliveredByNode[nodeID] = queue.isEmpty ? nil : queue }
        // Expired undelivered instructions for this node go first (with any replies); stale IDs too.
        queue.removeAll { id in
            guard let stored = instructions[id], stored.row.deliveredAt.isEmpty else { return true }
            guard MessageRules.isExpired(stored.row, now: now) else { return false }
            deleteMessages(instructionID: id)
            return true
        }
        while !queue.isEmpty {
            let id = queue.removeFirst()
            guard let tree = objects.tree(objectID: id) else {
                deleteMessages(instructionID: id)
                continue
            }
            instructions[id]!.row.deliveredAt = FlowerTimestamp.iso(now)
            return MessageWithTree(message: instructions[id]!.row, tree: tree)
        }
        return nil
    }

    mutating func storeReply(fromNode nodeID: UInt64, _ reply: MessageWithTree, now: Double)
        throws(LinkStateError) -> StoreReplyOutcome
    {
        try MessageRules.checkTreeIDs(reply.tree)
        let row = reply.message
        if let refused = gate(row.runID, now: now) { return .refused(refused) }
        if let problem = MessageRules.replyProblem(reply, fromNode: nodeID, now: now) {
            return .rejected(reason: problem)
        }
        let instruction = instructions[row.replyToMessageID]?.row
        if let problem = MessageRules.pairingProblem(reply: row, instruction: instruction, now: now) {
            return .rejected(reason: problem)
        }
        guard replies[row.replyToMessageID] == nil, !replyIDs.contains(row.messageID) else {
            return .rejected(reason: "A reply to this instruction was already stored")
        }
        var stored = row
        stored.deliveredAt = ""
        replies[row.replyToMessageID] = stored
        replyIDs.insert(row.messageID)
        return .stored(objectsToPush: try preregister(runID: row.runID, tree: reply.tree))
    }

    mutating func takeReplies(_ runID: UInt64, instructionIDs: [String], now: Double) -> [ReplyOutcome] {
        var out: [ReplyOutcome] = []
        for id in instructionIDs {
            guard let ins = instructions[id]?.row, ins.runID == runID else {
                out.append(.messageUnavailable(instructionID: id))
                continue
            }
            if MessageRules.isExpired(ins, now: now) {
                out.append(.messageUnavailable(instructionID: id))
                deleteMessages(instructionID: id)
                continue
            }
            // Flower's order: an unavailable node masks a reply it sent earlier (§2.5).
            let dst = nodes[ins.dstNodeID]?.record
            if dst == nil || dst!.status == .unregistered || (dst!.onlineUntil ?? 0) < now {
                out.append(.nodeUnavailable(instruction: ins))
                deleteMessages(instructionID: id)
                continue
            }
            guard var reply = replies[id] else { continue }
            if MessageRules.isExpired(reply, now: now) {
                out.append(.replyExpired(instruction: ins))
                deleteMessages(instructionID: id)
                continue
            }
            guard let tree = objects.tree(objectID: reply.messageID) else {
                // Unusable reply (its objects are gone): drop it; the instruction keeps waiting.
                replies[id] = nil
                replyIDs.remove(reply.messageID)
                continue
            }
            reply.deliveredAt = FlowerTimestamp.iso(now)
            out.append(.reply(MessageWithTree(message: reply, tree: tree)))
            deleteMessages(instructionID: id)
        }
        return out
    }

    // MARK: Helpers

    /// Flower's `delete_messages`: the instruction and every reply to it.
    mutating func deleteMessages(instructionID id: String) {
        instructions[id] = nil
        if let reply = replies.removeValue(forKey: id) { replyIDs.remove(reply.messageID) }
    }

    mutating func deleteMessages(ofRun runID: UInt64) {
        for (id, stored) in instructions where stored.row.runID == runID { deleteMessages(instructionID: id) }
        for (key, reply) in replies where reply.runID == runID {
            replies[key] = nil
            replyIDs.remove(reply.messageID)
        }
    }

    mutating func preregister(runID: UInt64, tree: ObjectTree) throws(LinkStateError) -> [String] {
        do {
            return try objects.preregister(runID: runID, tree: tree)
        } catch {
            throw LinkStateError(error)
        }
    }
}

extension LinkStateError {
    /// The object store's errors as this layer's.
    init(_ error: ObjectStoreError) {
        switch error {
        case .invalidObjectID(let id): self = .invalidObjectID(id)
        case .invalidObjectContent(let m): self = .storage("Unexpected object content: \(m)")
        case .storage(let m): self = .storage(m)
        }
    }
}
