/// Why `Database.open` refused or failed to open a state database.
///
/// The refusals (`notAStateDatabase`, `newerSchema`, `schemaMismatch`) are decided before
/// anything is written: the file is left byte-for-byte as it was. The executable maps them to
/// Flower's exit code 105 (`SUPERLINK_DATABASE_SCHEMA_MISMATCH`).
public enum BootstrapError: Error, Sendable, CustomStringConvertible {
    /// Not a SQLite file, or a SQLite file holding some other application's tables.
    case notAStateDatabase(path: String, reason: String)
    /// The recorded version is unknown to this build (written by a newer Flower or Sepal).
    case newerSchema(path: String, found: String)
    /// Looks like a state database but its tables or version rows do not fit this schema.
    case schemaMismatch(path: String, reason: String)
    /// A migration failed; its transaction was rolled back, so the file is unchanged.
    case migrationFailed(path: String, migration: String, error: SQLError)
    /// The file could not be opened, read or locked (permissions, missing directory, disk,
    /// or the bootstrap deadline passed while other openers held the lock).
    case io(path: String, reason: String)

    public var path: String {
        switch self {
        case .notAStateDatabase(let path, _), .newerSchema(let path, _), .schemaMismatch(let path, _),
             .migrationFailed(let path, _, _), .io(let path, _):
            return path
        }
    }

    /// True for the three refusals (exit code 105); false for failures worth retrying or fixing
    /// outside the file.
    public var isSchemaRefusal: Bool {
        switch self {
        case .notAStateDatabase, .newerSchema, .schemaMismatch: return true
        case .migrationFailed, .io: return false
        }
    }

    public var description: String {
        switch self {
        case .notAStateDatabase(let path, let reason):
            return "\(path) is not a Flower state database (\(reason)); refusing to touch it"
        case .newerSchema(let path, let found):
            return "\(path) has schema version \(found), which this build does not know "
                + "(written by a newer Flower/Sepal?); refusing to touch it"
        case .schemaMismatch(let path, let reason):
            return "\(path) does not match the Flower state schema (\(reason)); refusing to touch it"
        case .migrationFailed(let path, let migration, let error):
            return "migrating \(path) failed in \(migration): \(error) (rolled back)"
        case .io(let path, let reason):
            return "cannot open \(path): \(reason)"
        }
    }
}
