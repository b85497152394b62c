import CSQLite
import Dispatch

/// A migrated SQLite database served by dedicated threads: one writer connection (all writes
/// are serialized, group-committed when they queue up) and `readerCount` reader connections
/// (WAL: readers never block the writer, nor it them).
///
/// ```swift
/// let db = try Database.open(path: "state.db", migrator: .flowerStateMigrator)
/// try await db.write { conn in
///     try conn.execute("UPDATE node SET online_until = ? WHERE node_id = ?", until, nodeID)
/// }
/// let count = try await db.read { conn in try conn.queryOne("SELECT count(*) FROM run")?.int64(0) ?? 0 }
/// ```
///
/// SQLite calls block, so they never run on Swift's cooperative pool: the async methods hand
/// the body to a worker thread and suspend on a continuation.
public final class Database: Sendable {
    /// The file path (or `:memory:`).
    public let path: String
    private let writerQueue: JobQueue<WriterJob>
    /// `nil` when reads go to the writer thread (in-memory databases, `readerCount == 0`).
    private let readerQueue: JobQueue<@Sendable (Connection) -> Void>?
    private let workers = WorkerRegistry()
    /// Batching counters of the writer thread.
    let writerStats = WriterStats()
    private let closed = Locked(false)

    private init(path: String, writer: Connection, readers: [Connection], config: DatabaseConfig) {
        self.path = path
        writerQueue = JobQueue(workerCount: 1)
        let loop = WriterLoop(queue: writerQueue, maxBatch: max(1, config.maxWriteBatch), stats: writerStats)
        // The writer closes last: the last connection to close checkpoints the WAL into the main
        // file and removes it, which a query-only reader connection cannot do.
        let readersClosed = DispatchGroup()
        workers.start(name: "sepal-sql-writer", connection: writer) { conn in
            loop.run(conn)
            readersClosed.wait()
        }
        if readers.isEmpty {
            readerQueue = nil
        } else {
            let queue = JobQueue<@Sendable (Connection) -> Void>(workerCount: readers.count)
            readerQueue = queue
            for (i, reader) in readers.enumerated() {
                readersClosed.enter()
                workers.start(
                    name: "sepal-sql-reader-\(i)", connection: reader,
                    loop: { conn in while let job = queue.take() { job(conn) } },
                    afterClose: { readersClosed.leave() })
            }
        }
    }

    deinit {
        // Nobody can submit any more; let the threads drain and exit on their own.
        writerQueue.close()
        readerQueue?.close()
    }

    // MARK: - Opening

    /// Opens (creating if needed) and migrates `path` before returning.
    ///
    /// Safe when many threads and many processes open the same fresh file at once: each caller
    /// either migrates it or waits for whoever does, and none sees a half-made schema (see
    /// `Bootstrap`). Re-opening an up-to-date file writes nothing. Refuses — leaving the file
    /// byte-identical — anything that is not a state database of `migrator`'s schema, or that
    /// records a version this build does not know. Blocks: call it at startup, not from the
    /// cooperative pool.
    public static func open(path: String, migrator: Migrator, config: DatabaseConfig = .init()) throws(BootstrapError) -> Database {
        // Each of these would give every connection its own private database.
        if path == ":memory:" || path.isEmpty { return try openInMemory(migrator: migrator, config: config) }
        let deadline = ContinuousClock.now + .milliseconds(config.bootstrapTimeoutMs)
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let writer = try connect(path, flags: flags, config: config, deadline: deadline)
        try Bootstrap.run(writer, path: path, migrator: migrator, usesWAL: true, deadline: deadline)
        var readers: [Connection] = []
        for _ in 0..<max(0, config.readerCount) {
            let reader = try connect(path, flags: flags, config: config, deadline: deadline)
            try Bootstrap.retryingSQLWhileBusy(path: path, deadline: deadline) {
                try Bootstrap.requireWAL(reader)
                try reader.executeScript("PRAGMA query_only=ON;")
            }
            readers.append(reader)
        }
        return Database(path: path, writer: writer, readers: readers, config: config)
    }

    /// A private in-memory database, migrated the same way; for tests. It has a single
    /// connection, so reads run on the writer thread (an in-memory database cannot use WAL,
    /// and shared-cache readers would fail with SQLITE_LOCKED instead of waiting).
    public static func openInMemory(migrator: Migrator, config: DatabaseConfig = .init()) throws(BootstrapError) -> Database {
        let path = ":memory:"
        let deadline = ContinuousClock.now + .milliseconds(config.bootstrapTimeoutMs)
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let conn = try connect(path, flags: flags, config: config, deadline: deadline)
        try Bootstrap.run(conn, path: path, migrator: migrator, usesWAL: false, deadline: deadline)
        return Database(path: path, writer: conn, readers: [], config: config)
    }

    private static func connect(
        _ path: String, flags: Int32, config: DatabaseConfig, deadline: ContinuousClock.Instant
    ) throws(BootstrapError) -> Connection {
        let conn: Connection
        do {
            conn = try Connection(
                path: path, flags: flags, busyTimeoutMs: config.busyTimeoutMs,
                statementCacheCapacity: config.statementCacheCapacity)
        } catch {
            throw .io(path: path, reason: error.description)
        }
        try Bootstrap.retryingSQLWhileBusy(path: path, deadline: deadline) {
            try conn.applySessionPragmas()
        }
        return conn
    }

    // MARK: - Transactions

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE … COMMIT`; rolled back if it
    /// throws) on the writer thread. Writes are serialized; returns after the commit.
    ///
    /// `body` is `@escaping` because it is queued for the writer thread; it runs exactly once.
    /// It may be committed together with other queued writes, each isolated in a SAVEPOINT.
    /// Task cancellation does not interrupt a queued or running body.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            if !writerQueue.submit(.write(WriteJob(body, continuation: continuation))) {
                continuation.resume(throwing: SQLError.closed)
            }
        }
    }

    /// Runs `body` in one read (deferred) transaction — a consistent snapshot — on a reader
    /// thread. Writing from `body` fails (`query_only`).
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job: @Sendable (Connection) -> Void = { conn in
                do { continuation.resume(returning: try conn.inReadTransaction(body)) } catch {
                    continuation.resume(throwing: error)
                }
            }
            let accepted = readerQueue?.submit(job) ?? writerQueue.submit(.exclusive(job))
            if !accepted { continuation.resume(throwing: SQLError.closed) }
        }
    }

    /// `write` for non-async callers (startup, tests). Blocks the calling thread; must not be
    /// called from the cooperative pool, nor from inside another `write`/`read` body.
    public func writeBlocking<T>(_ body: (Connection) throws -> T) throws -> T {
        let loan = try borrow(writer: true)
        defer { loan.giveBack() }
        return try loan.borrow().inWriteTransaction(body)
    }

    /// `read` for non-async callers. Same rules as `writeBlocking`.
    public func readBlocking<T>(_ body: (Connection) throws -> T) throws -> T {
        let loan = try borrow(writer: false)
        defer { loan.giveBack() }
        return try loan.borrow().inReadTransaction(body)
    }

    /// Asks a worker to lend its connection to the calling thread (the body then runs here, so
    /// it need be neither escaping nor Sendable).
    private func borrow(writer: Bool) throws(SQLError) -> ConnectionLoan {
        precondition(
            !workers.isCurrentThreadWorker,
            "readBlocking/writeBlocking called from inside a read/write body of the same Database: this would deadlock")
        let loan = ConnectionLoan()
        let lend: @Sendable (Connection) -> Void = { conn in loan.lend(conn) }
        let accepted = if writer || readerQueue == nil {
            writerQueue.submit(.exclusive(lend))
        } else {
            readerQueue!.submit(lend)
        }
        guard accepted else { throw SQLError.closed }
        return loan
    }

    // MARK: - Closing

    /// Stops accepting work, lets queued work finish, then closes every connection and waits for
    /// the worker threads to exit. Later calls fail with an SQLError ("the database is closed").
    /// Idempotent.
    public func close() {
        let first = closed.withLock { isClosed -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        writerQueue.close()
        readerQueue?.close()
        // From inside a body the workers cannot exit until we return: don't wait for them.
        if first, !workers.isCurrentThreadWorker { workers.waitForAll() }
    }
}
