/// One named, ordered schema change.
///
/// `id` is what the version table records once this migration (and all before it) has been
/// applied; for Flower's schema it is the Alembic revision ID. `apply` runs inside the single
/// write transaction that migrates a database, so it must not BEGIN/COMMIT itself.
public struct Migration: Sendable {
    public let id: String
    public let apply: @Sendable (Connection) throws -> Void

    public init(id: String, apply: @escaping @Sendable (Connection) throws -> Void) {
        self.id = id
        self.apply = apply
    }
}

/// The one-row table that records the schema version: the `id` of the last applied migration.
///
/// `.alembic` is Alembic's `alembic_version(version_num)` table, byte-for-byte as Flower creates
/// it, so Flower and Sepal read and write the same version.
public struct VersionTable: Sendable, Equatable {
    public let name: String
    public let column: String
    /// The CREATE TABLE statement used when the table does not exist yet.
    public let createSQL: String

    public init(name: String, column: String, createSQL: String) {
        self.name = name
        self.column = column
        self.createSQL = createSQL
    }

    /// Alembic's version table, exactly as Alembic (and so Flower 1.28) creates it on SQLite.
    public static let alembic = VersionTable(
        name: "alembic_version",
        column: "version_num",
        createSQL: "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\t"
            + "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)")
}

/// An ordered list of migrations plus how the version is recorded.
///
/// ```swift
/// let db = try Database.open(path: "state.db", migrator: .flowerStateMigrator)
/// ```
///
/// Opening a database with a migrator (see `Database.open`) classifies the file and then either
/// leaves it alone (already at `head`), applies the missing migrations in one transaction, or
/// refuses it with a `BootstrapError`:
/// - no user tables → fresh: create the version table, apply everything;
/// - version recorded and known → apply the ones after it;
/// - version recorded but unknown → `newerSchema` (written by a newer build);
/// - user tables but no version, and `adoptableBaseline` is set → if every table and column
///   the baseline migration creates is present, record the baseline and upgrade from there
///   (Flower's "pre-Alembic" case); otherwise refuse.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    public let versionTable: VersionTable
    /// The migration whose schema an unversioned database may match to be adopted, or `nil` to
    /// refuse every unversioned database that has tables.
    public let adoptableBaseline: String?

    public init(migrations: [Migration], versionTable: VersionTable = .alembic, adoptableBaseline: String? = nil) {
        precondition(!migrations.isEmpty, "a migrator needs at least one migration")
        precondition(Set(migrations.map(\.id)).count == migrations.count, "migration ids must be unique")
        if let adoptableBaseline {
            precondition(migrations.contains { $0.id == adoptableBaseline }, "unknown baseline \(adoptableBaseline)")
        }
        self.migrations = migrations
        self.versionTable = versionTable
        self.adoptableBaseline = adoptableBaseline
    }

    /// The id of the last migration: the version of a fully migrated database.
    public var head: String { migrations[migrations.count - 1].id }

    /// Position of `id` in the list, or `nil` when this build does not know it.
    func index(of id: String) -> Int? { migrations.firstIndex { $0.id == id } }
}
