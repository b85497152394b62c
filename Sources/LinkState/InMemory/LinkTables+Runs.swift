import FlowerTime

extension LinkTables {
    mutating func createRun(_ new: NewRun, context: (UInt64) -> [UInt8], now: Double) -> UInt64 {
        var id = RandomIDs.nodeOrRunID()
        while runs[id] != nil { id = RandomIDs.nodeOrRunID() }
        let record = RunRecord(
            runID: id, fabID: new.fabID, fabVersion: new.fabVersion, fabHash: new.fabHash,
            overrideConfigJSON: new.overrideConfigJSON, pendingAt: FlowerTimestamp.iso(now),
            federation: new.federation, flwrAid: new.flwrAid, runType: new.runType,
            federationConfigJSON: new.federationConfigJSON)
        runs[id] = StoredRun(record: record, seq: nextSeq())
        contexts[id] = context(id)
        return id
    }

    // MARK: Token expiry (lazy)

    /// Deletes the run's token if it expired; a starting/running run then fails with
    /// `finished_at` = the token's `active_until`, and its unreferenced objects are deleted.
    /// True if this failed the run.
    @discardableResult
    mutating func expireToken(ofRun runID: UInt64, now: Double) -> Bool {
        guard let token = tokens[runID], token.activeUntil < now else { return false }
        tokens[runID] = nil
        runIDByToken[token.token] = nil
        guard let phase = runs[runID]?.record.phase, phase == .starting || phase == .running else { return false }
        setFinished(runID, subStatus: RunTransitions.failed, details: FlowerConstants.noHeartbeatDetails,
                    at: token.activeUntil)
        return true
    }

    mutating func expireTokens(now: Double) -> [UInt64] {
        let expired = tokens.filter { $0.value.activeUntil < now }.map(\.key)
        return expired.filter { expireToken(ofRun: $0, now: now) }.sorted()
    }

    /// The token's run after sweeping it; nil if unknown or expired.
    mutating func liveRunID(forToken token: String, now: Double) -> UInt64? {
        guard let runID = runIDByToken[token] else { return nil }
        expireToken(ofRun: runID, now: now)
        return runIDByToken[token]
    }

    /// Writes the finished state; the run loses its token and its unreferenced objects.
    mutating func setFinished(_ runID: UInt64, subStatus: String, details: String, at time: Double) {
        runs[runID]!.record.finishedAt = FlowerTimestamp.iso(time)
        runs[runID]!.record.subStatus = subStatus
        runs[runID]!.record.details = details
        if let token = tokens.removeValue(forKey: runID) { runIDByToken[token.token] = nil }
        objects.deleteObjects(inRun: runID)
    }

    /// The run after its token sweep.
    mutating func run(_ runID: UInt64, now: Double) -> RunRecord? {
        expireToken(ofRun: runID, now: now)
        return runs[runID]?.record
    }

    /// nil if the run is running; otherwise why a run-scoped operation is refused.
    mutating func gate(_ runID: UInt64, now: Double) -> RunGate? {
        guard let run = run(runID, now: now) else { return .unknownRun }
        return run.phase == .running ? nil : .notRunning(run)
    }

    // MARK: Transitions

    mutating func updateRunStatus(_ runID: UInt64, phase: RunPhase, subStatus: String, details: String,
                                  now: Double) -> RunStatusUpdateOutcome {
        guard let run = run(runID, now: now) else { return .unknownRun }
        if run.phase == .finished { return .alreadyFinished }
        guard RunTransitions.isAllowed(from: run.phase, to: phase, subStatus: subStatus) else {
            return .invalidTransition
        }
        switch phase {
        case .pending: return .invalidTransition
        case .starting: runs[runID]!.record.startingAt = FlowerTimestamp.iso(now)
        case .running: runs[runID]!.record.runningAt = FlowerTimestamp.iso(now)
        case .finished:
            setFinished(runID, subStatus: subStatus, details: details, at: now)
            return .updated
        }
        runs[runID]!.record.subStatus = subStatus
        runs[runID]!.record.details = details
        return .updated
    }

    mutating func stopRun(_ runID: UInt64, flwrAid: String, now: Double) -> StopRunOutcome {
        guard let run = run(runID, now: now) else { return .notFound }
        guard !run.flwrAid.isEmpty, run.flwrAid == flwrAid else { return .notOwner }
        if run.phase == .finished { return .alreadyFinished }
        deleteMessages(ofRun: runID)
        setFinished(runID, subStatus: RunTransitions.stopped, details: "", at: now)
        return .stopped
    }

    /// Adds a Fleet call's traffic to the run's counters (no-op for an unknown run).
    mutating func addTraffic(_ traffic: RunTraffic, toRun runID: UInt64) {
        guard runs[runID] != nil else { return }
        runs[runID]!.record.bytesSent &+= traffic.bytesSent
        runs[runID]!.record.bytesRecv &+= traffic.bytesRecv
        runs[runID]!.record.clientappRuntime += traffic.clientappRuntime
    }

    // MARK: Tokens

    mutating func requestToken(_ runID: UInt64, now: Double) -> String? {
        expireToken(ofRun: runID, now: now)
        guard let run = runs[runID], run.record.phase == .pending, tokens[runID] == nil else { return nil }
        var token = RandomIDs.appToken()
        while runIDByToken[token] != nil { token = RandomIDs.appToken() }
        tokens[runID] = AppToken(token: token, activeUntil: now + FlowerConstants.tokenInitialLifetime)
        runIDByToken[token] = runID
        runs[runID]!.record.startingAt = FlowerTimestamp.iso(now)
        return token
    }

    mutating func acknowledgeAppHeartbeat(_ token: String, now: Double) -> Bool {
        guard let runID = liveRunID(forToken: token, now: now) else { return false }
        tokens[runID]!.activeUntil = now + FlowerConstants.tokenHeartbeatLifetime
        return true
    }

    mutating func startApp(_ token: String, canStart: (RunRecord) -> Bool, now: Double) -> StartAppOutcome {
        guard let runID = liveRunID(forToken: token, now: now) else { return .invalidToken }
        guard let run = runs[runID]?.record, run.phase == .starting, let context = contexts[runID], canStart(run) else {
            return .failed(runID: runID)
        }
        runs[runID]!.record.runningAt = FlowerTimestamp.iso(now)
        return .started(run: runs[runID]!.record, context: context)
    }

    mutating func finishApp(_ token: String, runID: UInt64, context: [UInt8], now: Double) -> FinishAppOutcome {
        guard liveRunID(forToken: token, now: now) == runID, let run = runs[runID]?.record else {
            return .invalidToken
        }
        guard run.phase == .running else { return .runNotRunning(run) }
        contexts[runID] = context
        tokens[runID] = nil
        runIDByToken[token] = nil
        return .stored
    }

    // MARK: Logs

    mutating func appendLog(_ runID: UInt64, text: String, now: Double) -> Bool {
        guard runs[runID] != nil else { return false }
        var timestamp = now
        if let last = logs[runID]?.last?.timestamp {
            timestamp = max(now, last + FlowerConstants.logTimestampStep)
        }
        logs[runID, default: []].append(LogRow(timestamp: timestamp, text: text))
        return true
    }

    func serverAppLog(_ runID: UInt64, after: Double) -> (text: String, latest: Double)? {
        guard runs[runID] != nil else { return nil }
        let rows = (logs[runID] ?? []).filter { $0.timestamp > after }
        return (rows.map(\.text).joined(), rows.last?.timestamp ?? 0)
    }

    // MARK: Maintenance

    mutating func sweep(now: Double) -> [UInt64] {
        let failed = expireTokens(now: now)
        sweepNodes(now: now)
        for (id, run) in runs where run.record.phase == .finished && !objects.objectIDs(inRun: id).isEmpty {
            objects.deleteObjects(inRun: id)
        }
        return failed
    }
}
