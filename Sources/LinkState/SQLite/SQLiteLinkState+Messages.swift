import FlowerTime
import ObjectStore
import SQL

extension SQLiteLinkState {
    public func storeInstructions(runID: UInt64, _ messages: [MessageWithTree]) async throws(LinkStateError)
        -> StoreInstructionsOutcome
    {
        for m in messages { try MessageRules.checkTreeIDs(m.tree) }
        return try await write { conn, now in
            if let refused = try conn.gate(runID, now: now) { return .refused(refused) }
            var ids: [String] = []
            var toPush: [String] = []
            var seen: Set<String> = []
            for m in messages {
                guard MessageRules.instructionProblem(m, runID: runID, now: now) == nil,
                    let status = try conn.queryOne("SELECT status FROM node WHERE node_id = ?", m.message.dstNodeID)?
                        .string(0),
                    status == NodeStatus.online.rawValue || status == NodeStatus.offline.rawValue,
                    try conn.insertMessage(m.message, into: "message_ins")
                else {
                    ids.append("")
                    continue
                }
                ids.append(m.message.messageID)
                for id in try conn.preregisterObjects(runID: runID, tree: m.tree) where seen.insert(id).inserted {
                    toPush.append(id)
                }
            }
            return .stored(messageIDs: ids, objectsToPush: toPush)
        }
    }

    /// Exactly once: the claim is one `UPDATE … WHERE delivered_at = '' RETURNING` inside the write
    /// transaction, and all writes are serialised on one connection.
    public func claimInstruction(nodeID: UInt64, traffic: TrafficMeter<MessageWithTree>?) async throws(LinkStateError)
        -> MessageWithTree?
    {
        try await write { conn, now in try Self.claimInstruction(conn, nodeID: nodeID, now: now, traffic: traffic) }
    }

    /// `claimInstruction(nodeID:traffic:)`'s transaction body (also run by the Fleet path that checks
    /// the node's key in the same transaction).
    static func claimInstruction(_ conn: Connection, nodeID: UInt64, now: Double, traffic: TrafficMeter<MessageWithTree>?)
        throws -> MessageWithTree?
    {
        // Expired undelivered instructions for this node go first (with any replies).
        try conn.execute(
            "DELETE FROM message_res WHERE reply_to_message_id IN (SELECT message_id FROM message_ins "
                + "WHERE dst_node_id = ? AND delivered_at = '' AND created_at + ttl < ?)", nodeID, now)
        try conn.execute(
            "DELETE FROM message_ins WHERE dst_node_id = ? AND delivered_at = '' AND created_at + ttl < ?",
            nodeID, now)
        while true {
            guard let row = try conn.queryOne(
                "UPDATE message_ins SET delivered_at = ?1 WHERE rowid = (SELECT rowid FROM message_ins "
                    + "WHERE dst_node_id = ?2 AND delivered_at = '' ORDER BY rowid LIMIT 1) AND delivered_at = '' "
                    + "RETURNING \(LinkRows.messageColumns)", FlowerTimestamp.iso(now), nodeID)
            else { return nil }
            let message = LinkRows.message(row)
            if let tree = try conn.objectTree(id: message.messageID) {
                let claimed = MessageWithTree(message: message, tree: tree)
                if let traffic { try conn.addTraffic(traffic(claimed), toRun: message.runID) }
                return claimed
            }
            // Its objects are gone: the instruction can never be served. Drop it and go on.
            try conn.deleteMessages(instructionID: message.messageID)
        }
    }

    public func storeReply(fromNode nodeID: UInt64, _ reply: MessageWithTree, traffic: TrafficMeter<[String]>?)
        async throws(LinkStateError) -> StoreReplyOutcome
    {
        try MessageRules.checkTreeIDs(reply.tree)
        return try await write { conn, now in
            let row = reply.message
            if let refused = try conn.gate(row.runID, now: now) { return .refused(refused) }
            if let problem = MessageRules.replyProblem(reply, fromNode: nodeID, now: now) {
                return .rejected(reason: problem)
            }
            let instruction = try conn.fetchInstruction(row.replyToMessageID)
            if let problem = MessageRules.pairingProblem(reply: row, instruction: instruction, now: now) {
                return .rejected(reason: problem)
            }
            guard try conn.queryOne("SELECT 1 FROM message_res WHERE reply_to_message_id = ?", row.replyToMessageID) == nil,
                try conn.insertMessage(row, into: "message_res")
            else {
                return .rejected(reason: "A reply to this instruction was already stored")
            }
            let toPush = try conn.preregisterObjects(runID: row.runID, tree: reply.tree)
            if let traffic { try conn.addTraffic(traffic(toPush), toRun: row.runID) }
            return .stored(objectsToPush: toPush)
        }
    }

    public func takeReplies(runID: UInt64, instructionIDs: [String]) async throws(LinkStateError) -> [ReplyOutcome] {
        try await write { conn, now in
            var out: [ReplyOutcome] = []
            for id in instructionIDs {
                guard let ins = try conn.fetchInstruction(id), ins.runID == runID else {
                    out.append(.messageUnavailable(instructionID: id))
                    continue
                }
                if MessageRules.isExpired(ins, now: now) {
                    out.append(.messageUnavailable(instructionID: id))
                    try conn.deleteMessages(instructionID: id)
                    continue
                }
                // Flower's order: an unavailable node masks a reply it sent earlier (§2.5).
                let node = try conn.queryOne("SELECT status, online_until FROM node WHERE node_id = ?", ins.dstNodeID)
                if node == nil || node?.string(0) == NodeStatus.unregistered.rawValue || (node?.double(1) ?? 0) < now {
                    out.append(.nodeUnavailable(instruction: ins))
                    try conn.deleteMessages(instructionID: id)
                    continue
                }
                guard let replyRow = try conn.queryOne(
                    "SELECT \(LinkRows.messageColumns) FROM message_res WHERE reply_to_message_id = ? ORDER BY rowid LIMIT 1",
                    id)
                else { continue }
                var reply = LinkRows.message(replyRow)
                if MessageRules.isExpired(reply, now: now) {
                    out.append(.replyExpired(instruction: ins))
                    try conn.deleteMessages(instructionID: id)
                    continue
                }
                guard let tree = try conn.objectTree(id: reply.messageID) else {
                    // Unusable reply (its objects are gone): drop it; the instruction keeps waiting.
                    try conn.execute("DELETE FROM message_res WHERE message_id = ?", reply.messageID)
                    continue
                }
                reply.deliveredAt = FlowerTimestamp.iso(now)
                out.append(.reply(MessageWithTree(message: reply, tree: tree)))
                try conn.deleteMessages(instructionID: id)
            }
            return out
        }
    }

    // MARK: Run-scoped objects

    public func preregisterObjects(runID: UInt64, tree: ObjectTree) async throws(LinkStateError)
        -> ObjectAccess<[String]>
    {
        try MessageRules.checkTreeIDs(tree)
        return try await write { conn, now in
            if let refused = try conn.gate(runID, now: now) { return .refused(refused) }
            return .done(try conn.preregisterObjects(runID: runID, tree: tree))
        }
    }

    public func pushObject(runID: UInt64, objectID: String, content: [UInt8], traffic: RunTraffic?)
        async throws(LinkStateError) -> ObjectAccess<PutOutcome>
    {
        // Gate first (as Flower), then the O(size) hash and format checks off the writer thread, then
        // the store — gated again in its own transaction.
        if case .refused(let refused) = try await read({ conn, now in try conn.gateWithoutSweeping(runID, now: now) }) {
            return .refused(refused)
        }
        if let refused = ObjectContent.verify(objectID: objectID, content: content) {
            // The run may have stopped meanwhile: report the gate if so.
            if let gate = try await write({ conn, now in try conn.gate(runID, now: now) }) { return .refused(gate) }
            return .done(refused)
        }
        return try await write { conn, now in
            if let refused = try conn.gate(runID, now: now) { return .refused(refused) }
            let outcome = try conn.storeObject(id: objectID, content: content)
            if outcome == .stored, let traffic { try conn.addTraffic(traffic, toRun: runID) }
            return .done(outcome)
        }
    }

    /// Without a meter: a read snapshot (a write only when a sweep is due). With one (Fleet): one
    /// write transaction that reads the object and adds its traffic, rather than a read and then a
    /// second transaction for the counters.
    public func pullObject(runID: UInt64, objectID: String, traffic: TrafficMeter<PulledObject>?)
        async throws(LinkStateError) -> ObjectAccess<PulledObject>
    {
        if let traffic {
            return try await write { conn, now in
                if let refused = try conn.gate(runID, now: now) { return .refused(refused) }
                let object = try conn.pullObject(id: objectID)
                if object.available { try conn.addTraffic(traffic(object), toRun: runID) }
                return .done(object)
            }
        }
        return try await readUnlessSweepDue({ conn, now in
            switch try conn.gateWithoutSweeping(runID, now: now) {
            case .needsSweep: return nil
            case .refused(let gate): return .refused(gate)
            case .open: return .done(try conn.pullObject(id: objectID))
            }
        }, orSweep: { conn, now in
            if let refused = try conn.gate(runID, now: now) { return .refused(refused) }
            return .done(try conn.pullObject(id: objectID))
        })
    }

    public func confirmMessageReceived(runID: UInt64, messageObjectID: String) async throws(LinkStateError)
        -> ObjectAccess<Bool>
    {
        try await write { conn, now in
            if let refused = try conn.gate(runID, now: now) { return .refused(refused) }
            return .done(try conn.deleteObject(id: messageObjectID))
        }
    }
}

extension Connection {
    /// Inserts a message row with `delivered_at = ''`; false if its `message_id` exists already.
    func insertMessage(_ m: MessageRow, into table: String) throws -> Bool {
        var row = m
        row.deliveredAt = ""
        do {
            try execute(
                "INSERT INTO \(table) (\(LinkRows.messageColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                LinkRows.messageValues(row))
            return true
        } catch {
            guard error.isUniqueViolation else { throw error }
            return false
        }
    }
}
