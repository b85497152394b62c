import CSQLite

/// An error reported by SQLite (or by this wrapper, using SQLite's codes).
///
/// `code` is the primary result code (`SQLITE_BUSY` = 5, `SQLITE_CONSTRAINT` = 19, …);
/// `extendedCode` refines it (`SQLITE_CONSTRAINT_UNIQUE` = 2067, …).
public struct SQLError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Primary result code (the low 8 bits of `extendedCode`).
    public let code: Int32
    /// Extended result code as returned by SQLite.
    public let extendedCode: Int32
    /// SQLite's message (`sqlite3_errmsg`) or this wrapper's explanation.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code & 0xFF
        self.extendedCode = code
        self.message = message
        self.sql = sql
    }

    /// The connection is busy or locked by another connection (worth retrying).
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// A UNIQUE, PRIMARY KEY, NOT NULL, CHECK or FOREIGN KEY constraint failed.
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    /// A UNIQUE or PRIMARY KEY constraint failed (duplicate key).
    public var isUniqueViolation: Bool {
        extendedCode == Self.constraintUnique || extendedCode == Self.constraintPrimaryKey
    }

    /// `SQLITE_CONSTRAINT_UNIQUE` and `SQLITE_CONSTRAINT_PRIMARYKEY` (C macros Swift cannot import).
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)

    public var description: String {
        let name = String(cString: sqlite3_errstr(extendedCode))
        var text = "SQLite error \(extendedCode) (\(name)): \(message)"
        if let sql { text += " [sql: \(sql)]" }
        return text
    }

    /// The error of the last failed call on `handle`.
    static func last(_ handle: OpaquePointer?, sql: String?) -> SQLError {
        guard let handle else { return SQLError(code: SQLITE_NOMEM, message: "out of memory", sql: sql) }
        return SQLError(
            code: sqlite3_extended_errcode(handle),
            message: String(cString: sqlite3_errmsg(handle)),
            sql: sql)
    }

    /// Using the database after `Database.close()`.
    static let closed = SQLError(code: SQLITE_MISUSE, message: "the database is closed")
}
