/// Alembic revision `c8f4f6e2c1ad` ("Add run_type and federation_config to run table").
///
/// Runs whose old `federation_options` blob was non-empty were simulation runs. Plain
/// `ALTER TABLE` (not a table rebuild), as Flower's migration does: SQLite splices the new
/// columns into the stored CREATE TABLE text and cuts the dropped one out, which is why the
/// head schema's `run` DDL has three columns on one line.
enum FlowerRunTypeMigration {
    static func apply(_ conn: Connection) throws {
        try conn.executeScript("ALTER TABLE run ADD COLUMN run_type VARCHAR DEFAULT 'serverapp' NOT NULL")
        try conn.executeScript("ALTER TABLE run ADD COLUMN federation_config VARCHAR")
        try conn.execute("UPDATE run SET run_type = ? WHERE length(federation_options) > 0", "simulation")
        try conn.executeScript("ALTER TABLE run DROP COLUMN federation_options")
    }
}
