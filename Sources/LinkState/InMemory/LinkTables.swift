import ObjectStore

/// All of `InMemoryLinkState`'s tables as one value, guarded by one lock: every method on it is one
/// atomic state change. The object table lives here too, so storing a message and preregistering its
/// tree (or stopping a run and deleting its messages and objects) cannot be observed half done.
struct LinkTables: Sendable {
    struct StoredNode: Sendable {
        var record: NodeRecord
        var seq: Int
    }
    struct StoredRun: Sendable {
        var record: RunRecord
        var seq: Int
    }
    struct AppToken: Sendable {
        var token: String
        var activeUntil: Double
    }
    struct LogRow: Sendable {
        var timestamp: Double
        var text: String
    }
    struct StoredInstruction: Sendable {
        var row: MessageRow
        var seq: Int
    }

    var seq = 0
    var nodes: [UInt64: StoredNode] = [:]
    var nodeIDByKey: [[UInt8]: UInt64] = [:]
    var runs: [UInt64: StoredRun] = [:]
    var contexts: [UInt64: [UInt8]] = [:]
    /// One token per run (`token_store` keyed by run_id), plus the reverse index.
    var tokens: [UInt64: AppToken] = [:]
    var runIDByToken: [String: UInt64] = [:]
    /// ServerApp log rows per run, in increasing timestamp order.
    var logs: [UInt64: [LogRow]] = [:]
    var instructions: [String: StoredInstruction] = [:]
    /// Undelivered instruction IDs per destination, oldest first (may hold stale IDs; skipped).
    var undeliveredByNode: [UInt64: [String]] = [:]
    /// Replies keyed by the instruction they answer (at most one each).
    var replies: [String: MessageRow] = [:]
    var replyIDs: Set<String> = []
    var objects = ObjectTable()

    mutating func nextSeq() -> Int {
        seq += 1
        return seq
    }
}
