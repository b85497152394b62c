import FlowerTime
import ObjectStore
import SQL

extension SQLiteLinkState {
    public func createRun(_ run: NewRun, context: @Sendable (UInt64) -> [UInt8]) async throws(LinkStateError) -> UInt64 {
        // `context` is non-escaping; pick the ID first so the bytes can be built here.
        var id = RandomIDs.nodeOrRunID()
        var bytes = context(id)
        while true {
            let candidate = id, contextBytes = bytes
            let inserted: Bool = try await write { conn, now in
                do {
                    try conn.execute(
                        "INSERT INTO run (run_id, fab_id, fab_version, fab_hash, override_config, pending_at, "
                            + "starting_at, running_at, finished_at, sub_status, details, federation, flwr_aid, "
                            + "bytes_sent, bytes_recv, clientapp_runtime, run_type, federation_config) "
                            + "VALUES (?, ?, ?, ?, ?, ?, '', '', '', '', '', ?, ?, 0, 0, 0.0, ?, ?)",
                        candidate, run.fabID, run.fabVersion, run.fabHash, run.overrideConfigJSON, FlowerTimestamp.iso(now),
                        run.federation, run.flwrAid, run.runType, run.federationConfigJSON)
                } catch {
                    guard (error as? SQLError)?.isUniqueViolation == true else { throw error }
                    return false
                }
                try conn.execute("INSERT INTO context (run_id, context) VALUES (?, ?)", candidate, contextBytes)
                return true
            }
            if inserted { return candidate }
            // A run-ID collision (2^-64 odds): draw again; the context embeds the ID.
            id = RandomIDs.nodeOrRunID()
            bytes = context(id)
        }
    }

    public func run(_ runID: UInt64) async throws(LinkStateError) -> RunRecord? {
        try await readUnlessSweepDue({ conn, now in
            try conn.hasExpiredToken(run: runID, now: now) ? nil : .some(try conn.fetchRun(runID))
        }, orSweep: { conn, now in
            try conn.sweptRun(runID, now: now)
        })
    }

    public func runs(flwrAid: String?) async throws(LinkStateError) -> [RunRecord] {
        let select = "SELECT \(LinkRows.runColumns) FROM run WHERE ?1 IS NULL OR flwr_aid = ?1 "
            + "ORDER BY pending_at DESC, rowid DESC"
        return try await readUnlessSweepDue({ conn, now in
            if try conn.queryOne("SELECT 1 FROM token_store WHERE active_until < ? LIMIT 1", now) != nil { return nil }
            return try conn.query(select, flwrAid).map(LinkRows.run)
        }, orSweep: { conn, now in
            _ = try conn.expireTokens(now: now)
            return try conn.query(select, flwrAid).map(LinkRows.run)
        })
    }

    public func pendingRunIDs() async throws(LinkStateError) -> [UInt64] {
        try await read { conn, _ in
            try conn.query(
                "SELECT run_id FROM run WHERE starting_at = '' AND running_at = '' AND finished_at = '' "
                    + "ORDER BY pending_at, rowid").compactMap { $0.uint64(0) }
        }
    }

    public func updateRunStatus(runID: UInt64, phase: RunPhase, subStatus: String, details: String)
        async throws(LinkStateError) -> RunStatusUpdateOutcome
    {
        try await write { conn, now in
            guard let run = try conn.sweptRun(runID, now: now) else { return .unknownRun }
            if run.phase == .finished { return .alreadyFinished }
            guard RunTransitions.isAllowed(from: run.phase, to: phase, subStatus: subStatus) else {
                return .invalidTransition
            }
            switch phase {
            case .pending:
                return .invalidTransition
            case .starting:
                try conn.execute(
                    "UPDATE run SET starting_at = ?, sub_status = ?, details = ? WHERE run_id = ?",
                    FlowerTimestamp.iso(now), subStatus, details, runID)
            case .running:
                try conn.execute(
                    "UPDATE run SET running_at = ?, sub_status = ?, details = ? WHERE run_id = ?",
                    FlowerTimestamp.iso(now), subStatus, details, runID)
            case .finished:
                try conn.finishRun(runID, subStatus: subStatus, details: details, now: now)
            }
            return .updated
        }
    }

    public func stopRun(runID: UInt64, flwrAid: String) async throws(LinkStateError) -> StopRunOutcome {
        try await write { conn, now in
            guard let run = try conn.sweptRun(runID, now: now) else { return .notFound }
            guard !run.flwrAid.isEmpty, run.flwrAid == flwrAid else { return .notOwner }
            if run.phase == .finished { return .alreadyFinished }
            try conn.execute("DELETE FROM message_res WHERE run_id = ?", runID)
            try conn.execute("DELETE FROM message_ins WHERE run_id = ?", runID)
            try conn.finishRun(runID, subStatus: RunTransitions.stopped, details: "", now: now)
            return .stopped
        }
    }

    // MARK: App tokens

    public func requestToken(runID: UInt64) async throws(LinkStateError) -> String? {
        try await write { conn, now in
            try conn.expireToken(run: runID, now: now)
            guard let run = try conn.fetchRun(runID), run.phase == .pending,
                try conn.queryOne("SELECT 1 FROM token_store WHERE run_id = ?", runID) == nil
            else { return nil }
            while true {
                let token = RandomIDs.appToken()
                do {
                    try conn.execute(
                        "INSERT INTO token_store (run_id, token, active_until) VALUES (?, ?, ?)",
                        runID, token, now + FlowerConstants.tokenInitialLifetime)
                } catch {
                    guard (error as? SQLError)?.isUniqueViolation == true else { throw error }
                    continue
                }
                try conn.execute("UPDATE run SET starting_at = ? WHERE run_id = ?", FlowerTimestamp.iso(now), runID)
                return token
            }
        }
    }

    public func acknowledgeAppHeartbeat(token: String) async throws(LinkStateError) -> Bool {
        try await write { conn, now in
            try conn.execute(
                "UPDATE token_store SET active_until = ? WHERE token = ? AND active_until >= ?",
                now + FlowerConstants.tokenHeartbeatLifetime, token, now)
            if conn.changes == 1 { return true }
            if let runID = try conn.queryOne("SELECT run_id FROM token_store WHERE token = ?", token)?.uint64(0) {
                try conn.expireToken(run: runID, now: now)
            }
            return false
        }
    }

    public func startApp(token: String, canStart: @escaping @Sendable (RunRecord) -> Bool) async throws(LinkStateError)
        -> StartAppOutcome
    {
        try await write { conn, now in
            guard let runID = try conn.liveRunID(forToken: token, now: now) else { return .invalidToken }
            guard let context = try conn.queryOne("SELECT context FROM context WHERE run_id = ?", runID),
                !context.isNull(0), let starting = try conn.fetchRun(runID), starting.phase == .starting,
                canStart(starting)
            else { return .failed(runID: runID) }
            try conn.execute(
                "UPDATE run SET running_at = ? WHERE run_id = ? AND starting_at != '' AND running_at = '' "
                    + "AND finished_at = ''", FlowerTimestamp.iso(now), runID)
            guard conn.changes == 1, let run = try conn.fetchRun(runID) else { return .failed(runID: runID) }
            return .started(run: run, context: context.blob(0) ?? [])
        }
    }

    public func finishApp(token: String, runID: UInt64, context: [UInt8]) async throws(LinkStateError)
        -> FinishAppOutcome
    {
        try await write { conn, now in
            guard try conn.liveRunID(forToken: token, now: now) == runID, let run = try conn.fetchRun(runID) else {
                return .invalidToken
            }
            guard run.phase == .running else { return .runNotRunning(run) }
            try conn.execute(
                "INSERT INTO context (run_id, context) VALUES (?, ?) "
                    + "ON CONFLICT (run_id) DO UPDATE SET context = excluded.context", runID, context)
            try conn.execute("DELETE FROM token_store WHERE run_id = ?", runID)
            return .stored
        }
    }

    public func serverAppContext(runID: UInt64) async throws(LinkStateError) -> [UInt8]? {
        try await read { conn, _ in
            guard let row = try conn.queryOne("SELECT context FROM context WHERE run_id = ?", runID), !row.isNull(0) else {
                return nil
            }
            return row.blob(0) ?? []
        }
    }

    // MARK: Logs

    public func appendServerAppLog(runID: UInt64, text: String) async throws(LinkStateError) -> Bool {
        try await write { conn, now in
            guard try conn.runExists(runID) else { return false }
            var timestamp = now
            if let last = try conn.queryOne(
                "SELECT timestamp FROM logs WHERE run_id = ? AND node_id = 0 ORDER BY timestamp DESC LIMIT 1", runID)?
                .double(0)
            {
                timestamp = max(now, last + FlowerConstants.logTimestampStep)
            }
            try conn.execute("INSERT INTO logs (timestamp, run_id, node_id, log) VALUES (?, ?, 0, ?)", timestamp, runID, text)
            return true
        }
    }

    public func serverAppLog(runID: UInt64, after: Double) async throws(LinkStateError)
        -> (text: String, latest: Double)?
    {
        let slice: LogSlice? = try await read { conn, _ in
            guard try conn.runExists(runID) else { return nil }
            let rows = try conn.query(
                "SELECT log, timestamp FROM logs WHERE run_id = ? AND node_id = 0 AND timestamp > ? ORDER BY timestamp",
                runID, after)
            return LogSlice(text: rows.map { $0.string(0) ?? "" }.joined(), latest: rows.last?.double(1) ?? 0)
        }
        return slice.map { ($0.text, $0.latest) }
    }

    // MARK: Maintenance

    public func sweep() async throws(LinkStateError) -> [UInt64] {
        try await write { conn, now in
            let failed = try conn.expireTokens(now: now)
            try conn.sweepNodes(now: now)
            let finished = try conn.query(
                "SELECT DISTINCT run_id FROM run_objects WHERE run_id IN (SELECT run_id FROM run WHERE finished_at != '')")
            for row in finished {
                if let id = row.uint64(0) { try conn.deleteObjects(inRun: id) }
            }
            return failed
        }
    }
}

extension Connection {
    /// The token's run after sweeping it; nil if unknown or expired.
    func liveRunID(forToken token: String, now: Double) throws -> UInt64? {
        guard let row = try queryOne("SELECT run_id, active_until FROM token_store WHERE token = ?", token),
            let runID = row.uint64(0)
        else { return nil }
        if (row.double(1) ?? 0) < now {
            try expireToken(run: runID, now: now)
            return nil
        }
        return runID
    }
}
