import CSQLite

/// A prepared statement, owned (and cached) by one `Connection`.
///
/// Always left reset after use, so a cached statement never holds a read snapshot or a lock.
final class Statement {
    let handle: OpaquePointer
    let sql: String

    init(connection db: OpaquePointer, sql: String) throws(SQLError) {
        var stmt: OpaquePointer?
        var trailingStatements = false
        let rc = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, &tail)
            // SQLite compiles only the first statement; silently dropping the rest would be a bug.
            // A tail of only whitespace, `;` or comments compiles to no statement.
            if rc == SQLITE_OK, let tail, tail.pointee != 0 {
                var next: OpaquePointer?
                if sqlite3_prepare_v2(db, tail, -1, &next, nil) != SQLITE_OK || next != nil { trailingStatements = true }
                sqlite3_finalize(next)
            }
            return rc
        }
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw SQLError.last(db, sql: sql)
        }
        guard !trailingStatements else {
            sqlite3_finalize(stmt)
            throw SQLError(code: SQLITE_MISUSE, message: "several statements given; use executeScript", sql: sql)
        }
        self.handle = stmt
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `args` to `?1 … ?n`. The count must match the statement's parameters.
    func bind(_ args: [SQLBindable?], db: OpaquePointer) throws(SQLError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard args.count == expected else {
            throw SQLError(
                code: SQLITE_RANGE,
                message: "statement has \(expected) parameter(s), \(args.count) given", sql: sql)
        }
        for (offset, arg) in args.enumerated() {
            let index = Int32(offset + 1)
            let rc = bindOne(arg?.sqlValue ?? .null, at: index)
            guard rc == SQLITE_OK else { throw SQLError.last(db, sql: sql) }
        }
    }

    private func bindOne(_ value: SQLValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let v):
            return sqlite3_bind_int64(handle, index, v)
        case .real(let d):
            return sqlite3_bind_double(handle, index, d)
        case .text(var s):
            // withUTF8 gives a contiguous buffer; an empty string must still bind '' (not NULL),
            // so never pass SQLite a nil pointer.
            return s.withUTF8 { buf in
                guard let base = buf.baseAddress, buf.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(buf.count), csqlite_transient())
                }
            }
        case .blob(let bytes):
            // An empty blob is X'' (Flower stores b"" for not-yet-pushed objects), not NULL.
            guard !bytes.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), csqlite_transient())
            }
        }
    }

    /// Advances one step: `true` when a row is ready, `false` when done.
    func step(db: OpaquePointer) throws(SQLError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLError.last(db, sql: sql)
        }
    }

    /// The current row's values.
    func currentRow() -> Row {
        let n = sqlite3_column_count(handle)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(n))
        for i in 0..<n { values.append(column(i)) }
        return Row(values)
    }

    private func column(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, i) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, i))
            guard count > 0, let raw = sqlite3_column_blob(handle, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: raw, count: count)))
        default:
            return .null
        }
    }

    /// Resets for the next use and drops the bindings (releases any snapshot the statement held).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}
