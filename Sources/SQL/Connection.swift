import CSQLite

/// One SQLite connection with a per-connection cache of prepared statements.
///
/// ```swift
/// try await db.write { conn in
///     try conn.execute("UPDATE node SET online_until = ? WHERE node_id = ?", until, nodeID)
///     guard conn.changes == 1 else { throw NodeError.notFound }
/// }
/// ```
///
/// Not `Sendable`: a connection is confined to the thread running the closure it was handed to
/// (`Database.write`/`read`); never keep it after the closure returns.
public final class Connection {
    let handle: OpaquePointer
    /// Where it was opened (a file path, or `:memory:`).
    public let path: String
    private var statements: [String: Statement] = [:]
    private let statementCacheCapacity: Int
    private var savepointDepth = 0
    private var isClosed = false

    /// Opens `path` with `flags` and sets `busy_timeout` before anything else touches the file.
    init(path: String, flags: Int32, busyTimeoutMs: Int32, statementCacheCapacity: Int = 256) throws(SQLError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_EXRESCODE, nil)
        guard rc == SQLITE_OK, let db else {
            let error = db.map { SQLError.last($0, sql: nil) }
                ?? SQLError(code: rc, message: String(cString: sqlite3_errstr(rc)))
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        self.path = path
        self.statementCacheCapacity = max(1, statementCacheCapacity)
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMs)
    }

    deinit { close() }

    /// Finalizes cached statements and closes the handle. Idempotent.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: - Statements

    /// Runs one statement (any result rows are discarded).
    public func execute(_ sql: String, _ args: SQLBindable?...) throws(SQLError) {
        try execute(sql, args)
    }

    /// Runs one statement with its parameters in an array.
    public func execute(_ sql: String, _ args: [SQLBindable?]) throws(SQLError) {
        let stmt = try prepared(sql)
        defer { stmt.reset() }
        try stmt.bind(args, db: handle)
        while try stmt.step(db: handle) {}
    }

    /// Runs one statement and returns all its rows.
    public func query(_ sql: String, _ args: SQLBindable?...) throws(SQLError) -> [Row] {
        try query(sql, args)
    }

    public func query(_ sql: String, _ args: [SQLBindable?]) throws(SQLError) -> [Row] {
        let stmt = try prepared(sql)
        defer { stmt.reset() }
        try stmt.bind(args, db: handle)
        var rows: [Row] = []
        while try stmt.step(db: handle) { rows.append(stmt.currentRow()) }
        return rows
    }

    /// Runs one statement and returns its first row, or `nil` when there is none.
    public func queryOne(_ sql: String, _ args: SQLBindable?...) throws(SQLError) -> Row? {
        try queryOne(sql, args)
    }

    public func queryOne(_ sql: String, _ args: [SQLBindable?]) throws(SQLError) -> Row? {
        let stmt = try prepared(sql)
        defer { stmt.reset() }
        try stmt.bind(args, db: handle)
        return try stmt.step(db: handle) ? stmt.currentRow() : nil
    }

    /// Runs several `;`-separated statements without parameters and without caching them
    /// (DDL in migrations, pragmas).
    public func executeScript(_ sql: String) throws(SQLError) {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        guard rc == SQLITE_OK else {
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errmsg)
            throw SQLError(code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open (SQLite is not in autocommit mode).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Number of statements currently cached.
    public var cachedStatementCount: Int { statements.count }

    /// Runs `body` inside a SAVEPOINT: if it throws, only its own changes are rolled back and
    /// the error is rethrown; the enclosing transaction stays open.
    public func savepoint<T>(_ body: (Connection) throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "sepal_sp\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        do {
            let value = try body(self)
            try execute("RELEASE \(name)")
            return value
        } catch {
            if isInTransaction {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
            }
            throw error
        }
    }

    /// The cached statement for `sql`, preparing it on first use. When the cache is full (callers
    /// building SQL dynamically) it is emptied rather than grown without bound.
    private func prepared(_ sql: String) throws(SQLError) -> Statement {
        if let stmt = statements[sql] { return stmt }
        guard !isClosed else { throw SQLError.closed }
        let stmt = try Statement(connection: handle, sql: sql)
        if statements.count >= statementCacheCapacity { statements.removeAll(keepingCapacity: true) }
        statements[sql] = stmt
        return stmt
    }

    // MARK: - Transactions (driven by Database)

    /// `BEGIN IMMEDIATE … COMMIT`, or ROLLBACK when `body` throws. IMMEDIATE takes the write lock
    /// up front (waiting per busy_timeout); a DEFERRED read→write upgrade would fail at once.
    func inWriteTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        return try finishTransaction(body)
    }

    /// `BEGIN DEFERRED … COMMIT`: one consistent snapshot for the whole body.
    func inReadTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        return try finishTransaction(body)
    }

    private func finishTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        // Some errors (SQLITE_FULL, IOERR, …) make SQLite roll back on its own; if the body
        // swallowed such an error, committing would silently lose its earlier writes.
        guard isInTransaction else {
            throw SQLError(code: SQLITE_ABORT, message: "the transaction was rolled back by SQLite")
        }
        do {
            try execute("COMMIT")
        } catch {
            rollbackQuietly()
            throw error
        }
        return value
    }

    func rollbackQuietly() {
        if isInTransaction { try? execute("ROLLBACK") }
    }

    // MARK: - Pragmas

    /// The per-connection settings Flower uses (minus journal_mode, which changes the file and is
    /// switched separately, after the file has been validated).
    func applySessionPragmas() throws(SQLError) {
        try executeScript("""
            PRAGMA synchronous=NORMAL;
            PRAGMA foreign_keys=ON;
            PRAGMA cache_size=-64000;
            PRAGMA temp_store=MEMORY;
            PRAGMA mmap_size=268435456;
            """)
    }

    /// `PRAGMA journal_mode=WAL`; returns the mode now in effect (`wal`, or `memory` for an
    /// in-memory database). Can fail with SQLITE_BUSY under racing opens: callers retry.
    func switchToWAL() throws(SQLError) -> String {
        let mode = try queryOne("PRAGMA journal_mode=WAL")?.string(0) ?? ""
        return mode.lowercased()
    }
}

extension Connection {
    /// A read-only connection that creates nothing, migrates nothing and sets no pragmas besides
    /// `busy_timeout`: for looking at a file without any chance of changing it (tests, tooling).
    static func openReadOnly(path: String, busyTimeoutMs: Int32 = 5000) throws(SQLError) -> Connection {
        try Connection(path: path, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, busyTimeoutMs: busyTimeoutMs)
    }

    /// A read-write connection (creating the file) with no migration and no pragmas besides
    /// `busy_timeout`: for building odd files in tests (foreign, pre-Alembic, rollback-journal).
    static func openUnmanaged(path: String, busyTimeoutMs: Int32 = 5000) throws(SQLError) -> Connection {
        try Connection(
            path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, busyTimeoutMs: busyTimeoutMs)
    }
}
