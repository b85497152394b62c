/// Flower 1.28's SuperLink state schema (LinkState + CoreState + ObjectStore tables in one
/// SQLite file), as ordered migrations carrying Flower's Alembic revision IDs, with the version
/// kept in Flower's own `alembic_version` table.
///
/// A `state.db` written by `flwr==1.28.0` opens here unchanged, and one created here opens in
/// Flower: each migration issues the same DDL, in the same order, as Flower's Alembic revision,
/// so even the `sqlite_master` text is byte-identical (checked against a dump of the real wheel).
///
/// ```swift
/// let db = try Database.open(path: path, migrator: .flowerStateMigrator)
/// ```
public enum FlowerStateSchema {
    /// `8e65d8ae60b0`: the baseline — every table (`run` still has `federation_options`).
    /// Never changes (Flower's `FLWR_STATE_BASELINE_REVISION`).
    public static let baselineRevision = "8e65d8ae60b0"
    /// `c8f4f6e2c1ad`: `run.run_type` + `run.federation_config`, drops `run.federation_options`.
    public static let runTypeRevision = "c8f4f6e2c1ad"
    /// `795243e997d8`: `run.usage_reported_at` — the head of the released 1.28.0 wheel.
    public static let usageReportedAtRevision = "795243e997d8"

    /// The version a fully migrated database records.
    public static var headRevision: String { usageReportedAtRevision }

    /// The migrations, oldest first.
    public static let migrations: [Migration] = [
        Migration(id: baselineRevision, apply: FlowerBaselineMigration.apply),
        Migration(id: runTypeRevision, apply: FlowerRunTypeMigration.apply),
        Migration(id: usageReportedAtRevision, apply: FlowerUsageReportedAtMigration.apply),
    ]

    /// Flower's bootstrap rules: Alembic's version table, and a database that has the tables
    /// but no version (made before Flower adopted Alembic) is adopted if it matches the baseline.
    public static let migrator = Migrator(
        migrations: migrations, versionTable: .alembic, adoptableBaseline: baselineRevision)
}

extension Migrator {
    /// Flower 1.28's state schema; see `FlowerStateSchema`.
    public static let flowerStateMigrator = FlowerStateSchema.migrator
}

/// SQLAlchemy's CREATE TABLE layout on SQLite, which Flower's files carry verbatim in
/// `sqlite_master`: one element per line, each line after the first prefixed by ", \n\t".
func sqlAlchemyCreateTable(_ name: String, _ elements: [String]) -> String {
    "CREATE TABLE \(name) (\n\t" + elements.joined(separator: ", \n\t") + "\n)"
}
