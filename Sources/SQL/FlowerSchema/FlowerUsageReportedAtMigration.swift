/// Alembic revision `795243e997d8` ("Add usage_reported_at to run table"), the head of the
/// released `flwr==1.28.0` wheel. Existing runs get `''` (not reported).
enum FlowerUsageReportedAtMigration {
    static func apply(_ conn: Connection) throws {
        try conn.executeScript("ALTER TABLE run ADD COLUMN usage_reported_at VARCHAR DEFAULT '' NOT NULL")
    }
}
