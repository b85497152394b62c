import CSQLite

/// What a database file holds, read without writing anything: its user tables and, if the
/// migrator's version table exists, the versions recorded in it.
struct SchemaSnapshot: Equatable {
    /// Names of tables other than SQLite's own `sqlite_*`.
    var userTables: Set<String>
    /// Rows of the version table, or `nil` when there is no version table.
    var versions: [String]?

    static func read(_ conn: Connection, versionTable: VersionTable) throws(SQLError) -> SchemaSnapshot {
        let tables = try conn.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        let names = Set(tables.compactMap { $0.string(0) })
        guard names.contains(versionTable.name) else { return SchemaSnapshot(userTables: names, versions: nil) }
        let rows = try conn.query("SELECT \(versionTable.column) FROM \(versionTable.name)")
        let versions = rows.map { row -> String in
            switch row[0] {
            case .text(let s): return s
            case .null: return "NULL"
            case let other: return "\(other)"
            }
        }
        return SchemaSnapshot(userTables: names, versions: versions)
    }
}

/// Tables and their column names, as `PRAGMA table_info` reports them.
struct TableColumns: Equatable {
    var columns: [String: [String]]

    static func read(_ conn: Connection, excluding excluded: Set<String>) throws(SQLError) -> TableColumns {
        var result: [String: [String]] = [:]
        let tables = try conn.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        for name in tables.compactMap({ $0.string(0) }) where !excluded.contains(name) {
            let info = try conn.query("SELECT name FROM pragma_table_info(?)", name)
            result[name] = info.compactMap { $0.string(0) }
        }
        return TableColumns(columns: result)
    }

    /// What `self` (the expected schema) has that `actual` lacks: "table x", "column t.c".
    func missing(in actual: TableColumns) -> [String] {
        var gaps: [String] = []
        for (table, columns) in columns.sorted(by: { $0.key < $1.key }) {
            guard let present = actual.columns[table] else {
                gaps.append("table \(table)")
                continue
            }
            let have = Set(present)
            for column in columns where !have.contains(column) { gaps.append("column \(table).\(column)") }
        }
        return gaps
    }
}
