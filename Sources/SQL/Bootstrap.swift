import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Brings one freshly opened connection's file to the migrator's head, safely against any
/// number of threads and processes doing the same to the same file at the same moment.
///
/// The protocol (what held up in 400+ racing rounds):
/// 1. `busy_timeout` is set when the connection opens, before anything touches the file.
/// 2. Classify the file in a read transaction. Refusals (`BootstrapError`) are decided here,
///    before anything is written — the file stays byte-identical.
/// 3. Only then switch to WAL (it changes the file header), retrying on SQLITE_BUSY: the switch
///    can fail under racing opens despite the timeout.
/// 4. Up to date → done, nothing written. Otherwise `BEGIN IMMEDIATE` (waits for the write
///    lock; a DEFERRED read→write upgrade would fail at once), classify again *inside* the
///    transaction (another opener may have migrated meanwhile), apply every pending migration,
///    record the head version, COMMIT — all in one transaction, so nobody ever sees half a
///    schema.
/// Transient SQLITE_BUSY/LOCKED anywhere restarts the round until the deadline.
enum Bootstrap {
    enum Plan: Equatable {
        case upToDate
        /// Apply `migrations[firstIndex...]`; create the version table first when it is missing.
        case migrate(firstIndex: Int, createVersionTable: Bool)
    }

    static func run(
        _ conn: Connection, path: String, migrator: Migrator, usesWAL: Bool, deadline: ContinuousClock.Instant
    ) throws(BootstrapError) {
        try retryingWhileBusy(path: path, deadline: deadline) { () throws(RoundFailure) in
            try classifying(path: path) { () throws in
                let plan = try conn.inReadTransaction { c in
                    try decide(SchemaSnapshot.read(c, versionTable: migrator.versionTable), c, path, migrator)
                }
                if usesWAL { try requireWAL(conn) }
                guard plan != .upToDate else { return }
                try conn.inWriteTransaction { c in
                    let current = try decide(
                        SchemaSnapshot.read(c, versionTable: migrator.versionTable), c, path, migrator)
                    try apply(current, c, path, migrator)
                }
            }
        }
    }

    /// Switches to WAL; a result other than `wal` means another connection was in the way.
    static func requireWAL(_ conn: Connection) throws(SQLError) {
        let mode = try conn.switchToWAL()
        guard mode == "wal" else {
            throw SQLError(code: SQLITE_BUSY, message: "journal_mode is still \(mode)", sql: "PRAGMA journal_mode=WAL")
        }
    }

    // MARK: - Deciding

    /// What to do with a database in the state `snapshot` (pure apart from reading schema).
    static func decide(_ snapshot: SchemaSnapshot, _ conn: Connection, _ path: String, _ migrator: Migrator) throws -> Plan {
        let versionTable = migrator.versionTable.name
        guard let versions = snapshot.versions else {
            if snapshot.userTables.isEmpty { return .migrate(firstIndex: 0, createVersionTable: true) }
            return try adopt(snapshot, conn, path, migrator, createVersionTable: true)
        }
        switch versions.count {
        case 0:
            if snapshot.userTables == [versionTable] { return .migrate(firstIndex: 0, createVersionTable: false) }
            return try adopt(snapshot, conn, path, migrator, createVersionTable: false)
        case 1:
            let version = versions[0]
            if version == migrator.head { return .upToDate }
            guard let index = migrator.index(of: version) else {
                throw BootstrapError.newerSchema(path: path, found: version)
            }
            return .migrate(firstIndex: index + 1, createVersionTable: false)
        default:
            throw BootstrapError.schemaMismatch(
                path: path,
                reason: "\(versionTable) holds \(versions.count) versions (\(versions.joined(separator: ", "))), expected one")
        }
    }

    /// An unversioned database with tables: adopt it at the baseline if it has every baseline
    /// table and column (extra ones are fine, as in Flower), otherwise refuse.
    private static func adopt(
        _ snapshot: SchemaSnapshot, _ conn: Connection, _ path: String, _ migrator: Migrator, createVersionTable: Bool
    ) throws -> Plan {
        let listed = snapshot.userTables.sorted().joined(separator: ", ")
        guard let baseline = migrator.adoptableBaseline, let baselineIndex = migrator.index(of: baseline) else {
            throw BootstrapError.notAStateDatabase(path: path, reason: "it has tables (\(listed)) but no \(migrator.versionTable.name)")
        }
        let expected = try baselineColumns(migrator, through: baselineIndex)
        let actual = try TableColumns.read(conn, excluding: [migrator.versionTable.name])
        let gaps = expected.missing(in: actual)
        guard !gaps.isEmpty else { return .migrate(firstIndex: baselineIndex + 1, createVersionTable: createVersionTable) }
        if Set(expected.columns.keys).isDisjoint(with: snapshot.userTables) {
            throw BootstrapError.notAStateDatabase(
                path: path, reason: "no \(migrator.versionTable.name) and none of the state tables; it has: \(listed)")
        }
        throw BootstrapError.schemaMismatch(
            path: path,
            reason: "no \(migrator.versionTable.name), and it lacks baseline \(baseline)'s "
                + gaps.joined(separator: ", "))
    }

    /// The tables and columns the migrations up to `index` create, reflected from a scratch
    /// in-memory database (never hand-maintained, so it cannot drift from the migrations).
    private static func baselineColumns(_ migrator: Migrator, through index: Int) throws -> TableColumns {
        let scratch = try Connection(
            path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, busyTimeoutMs: 0)
        defer { scratch.close() }
        try scratch.inWriteTransaction { c in
            for migration in migrator.migrations[...index] { try migration.apply(c) }
        }
        return try TableColumns.read(scratch, excluding: [migrator.versionTable.name])
    }

    // MARK: - Applying

    private static func apply(_ plan: Plan, _ conn: Connection, _ path: String, _ migrator: Migrator) throws {
        guard case .migrate(let firstIndex, let createVersionTable) = plan else { return }
        let table = migrator.versionTable
        if createVersionTable { try conn.executeScript(table.createSQL) }
        for migration in migrator.migrations[firstIndex...] {
            do {
                try migration.apply(conn)
            } catch let error as SQLError where !error.isBusy {
                throw BootstrapError.migrationFailed(path: path, migration: migration.id, error: error)
            }
        }
        try conn.execute("DELETE FROM \(table.name)")
        try conn.execute("INSERT INTO \(table.name) (\(table.column)) VALUES (?)", migrator.head)
    }

    // MARK: - Errors and retries

    /// The outcome of a failed round: retry (a lock conflict) or give up.
    enum RoundFailure: Error {
        case busy(SQLError)
        case final(BootstrapError)
    }

    /// Maps SQLite failures to bootstrap errors; lock conflicts become `.busy` to be retried.
    private static func classifying(path: String, _ body: () throws -> Void) throws(RoundFailure) {
        do {
            try body()
        } catch let error as BootstrapError {
            throw .final(error)
        } catch let error as SQLError {
            switch error.code {
            case SQLITE_BUSY, SQLITE_LOCKED:
                throw .busy(error)
            case SQLITE_NOTADB:
                throw .final(.notAStateDatabase(path: path, reason: "not a SQLite database file"))
            case SQLITE_CORRUPT:
                throw .final(.notAStateDatabase(path: path, reason: "corrupt SQLite file: \(error.message)"))
            default:
                throw .final(.io(path: path, reason: error.description))
            }
        } catch {
            throw .final(.io(path: path, reason: "\(error)"))
        }
    }

    /// Runs `round` until it succeeds, fails for a non-transient reason, or `deadline` passes.
    /// Backoff is short and jittered so racing openers do not retry in lock-step.
    static func retryingWhileBusy(
        path: String, deadline: ContinuousClock.Instant, _ round: () throws(RoundFailure) -> Void
    ) throws(BootstrapError) {
        var attempt = 0
        while true {
            do {
                try round()
                return
            } catch {
                switch error {
                case .final(let refusal):
                    throw refusal
                case .busy(let conflict):
                    attempt += 1
                    guard ContinuousClock.now < deadline else {
                        throw .io(
                            path: path,
                            reason: "timed out after \(attempt) attempts waiting for other openers: \(conflict)")
                    }
                    let maxMicros = min(50_000, 500 << min(attempt, 7))
                    usleep(UInt32.random(in: 200...UInt32(maxMicros)))
                }
            }
        }
    }

    /// `retryingWhileBusy` for plain SQLite steps (opening reader connections).
    static func retryingSQLWhileBusy(
        path: String, deadline: ContinuousClock.Instant, _ step: () throws -> Void
    ) throws(BootstrapError) {
        try retryingWhileBusy(path: path, deadline: deadline) { () throws(RoundFailure) in
            try classifying(path: path, step)
        }
    }
}
