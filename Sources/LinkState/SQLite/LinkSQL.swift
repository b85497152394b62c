import FlowerTime
import ObjectStore
import SQL

/// LinkState's statements as operations on a `Connection` inside the caller's write transaction.
/// Each public `SQLiteLinkState` method is one transaction composed of these.
extension Connection {
    // MARK: Runs

    func fetchRun(_ runID: UInt64) throws -> RunRecord? {
        try queryOne("SELECT \(LinkRows.runColumns) FROM run WHERE run_id = ?", runID).map(LinkRows.run)
    }

    func runExists(_ runID: UInt64) throws -> Bool {
        try queryOne("SELECT 1 FROM run WHERE run_id = ?", runID) != nil
    }

    /// True if the run has a token past `active_until` (the lazy sweep has work to do).
    func hasExpiredToken(run runID: UInt64, now: Double) throws -> Bool {
        try queryOne("SELECT 1 FROM token_store WHERE run_id = ? AND active_until < ?", runID, now) != nil
    }

    /// Token expiry for one run: deletes an expired token; a starting/running run then becomes
    /// `finished:failed` at the token's `active_until` and loses its unreferenced objects.
    @discardableResult
    func expireToken(run runID: UInt64, now: Double) throws -> Bool {
        guard let row = try queryOne(
            "DELETE FROM token_store WHERE run_id = ? AND active_until < ? RETURNING active_until", runID, now),
            let activeUntil = row.double(0)
        else { return false }
        try execute(
            "UPDATE run SET finished_at = ?, sub_status = ?, details = ? "
                + "WHERE run_id = ? AND starting_at != '' AND finished_at = ''",
            FlowerTimestamp.iso(activeUntil), RunTransitions.failed, FlowerConstants.noHeartbeatDetails, runID)
        guard changes == 1 else { return false }
        try deleteObjects(inRun: runID)
        return true
    }

    /// Token expiry for every run; the IDs of runs it failed.
    func expireTokens(now: Double) throws -> [UInt64] {
        let expired = try query("SELECT run_id FROM token_store WHERE active_until < ?", now).compactMap { $0.uint64(0) }
        return try expired.filter { try expireToken(run: $0, now: now) }.sorted()
    }

    /// The run after its token sweep.
    func sweptRun(_ runID: UInt64, now: Double) throws -> RunRecord? {
        try expireToken(run: runID, now: now)
        return try fetchRun(runID)
    }

    /// nil if the run is running (after its token sweep); otherwise the refusal.
    func gate(_ runID: UInt64, now: Double) throws -> RunGate? {
        guard let run = try sweptRun(runID, now: now) else { return .unknownRun }
        return run.phase == .running ? nil : .notRunning(run)
    }

    /// The gate inside a read transaction, which cannot sweep: `.needsSweep` sends the caller to a
    /// write transaction (where `gate` sweeps and decides again).
    func gateWithoutSweeping(_ runID: UInt64, now: Double) throws -> GateCheck {
        if try hasExpiredToken(run: runID, now: now) { return .needsSweep }
        guard let run = try fetchRun(runID) else { return .refused(.unknownRun) }
        return run.phase == .running ? .open : .refused(.notRunning(run))
    }

    /// Adds a Fleet call's traffic to the run's counters, inside the call's transaction.
    func addTraffic(_ traffic: RunTraffic, toRun runID: UInt64) throws {
        try execute(
            "UPDATE run SET bytes_sent = bytes_sent + ?, bytes_recv = bytes_recv + ?, "
                + "clientapp_runtime = clientapp_runtime + ? WHERE run_id = ?",
            traffic.bytesSent, traffic.bytesRecv, traffic.clientappRuntime, runID)
    }

    /// Finishes the run: timestamps, token deleted, unreferenced objects deleted.
    func finishRun(_ runID: UInt64, subStatus: String, details: String, now: Double) throws {
        try execute(
            "UPDATE run SET finished_at = ?, sub_status = ?, details = ? WHERE run_id = ? AND finished_at = ''",
            FlowerTimestamp.iso(now), subStatus, details, runID)
        try execute("DELETE FROM token_store WHERE run_id = ?", runID)
        try deleteObjects(inRun: runID)
    }

    // MARK: Nodes

    /// The offline sweep for one node.
    func sweepNode(_ nodeID: UInt64, now: Double) throws {
        try execute(
            "UPDATE node SET status = 'offline', "
                + "last_deactivated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', online_until, 'unixepoch') "
                + "WHERE node_id = ? AND status = 'online' AND online_until <= ?", nodeID, now)
    }

    /// The offline sweep for every node (Flower's `_check_and_tag_offline_nodes`).
    func sweepNodes(now: Double) throws {
        try execute(
            "UPDATE node SET status = 'offline', "
                + "last_deactivated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', online_until, 'unixepoch') "
                + "WHERE status = 'online' AND online_until <= ?", now)
    }

    func fetchNode(_ nodeID: UInt64) throws -> NodeRecord? {
        try queryOne("SELECT \(LinkRows.nodeColumns) FROM node WHERE node_id = ?", nodeID).map(LinkRows.node)
    }

    // MARK: Messages

    func fetchInstruction(_ messageID: String) throws -> MessageRow? {
        try queryOne("SELECT \(LinkRows.messageColumns) FROM message_ins WHERE message_id = ?", messageID)
            .map(LinkRows.message)
    }

    /// Flower's `delete_messages`: the instruction and every reply to it.
    func deleteMessages(instructionID id: String) throws {
        try execute("DELETE FROM message_res WHERE reply_to_message_id = ?", id)
        try execute("DELETE FROM message_ins WHERE message_id = ?", id)
    }
}

/// `gateWithoutSweeping`'s answer.
enum GateCheck: Sendable {
    case open
    case refused(RunGate)
    case needsSweep
}
