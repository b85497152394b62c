import FlowerTime
import ObjectStore
import SQL

/// `LinkState` in Flower's SQLite schema (`--database <file>`): the same file Flower 1.28 writes,
/// tables, columns and encodings included, with the object store in the same file.
///
/// Every method is one transaction on the database's single writer connection (or one read
/// snapshot), with its timestamps taken inside it; object-store statements run in the same
/// transaction as the state change they belong to. Reads that would have to sweep (an expired token,
/// an overdue node) fall through to a write transaction that sweeps and re-reads.
///
/// ```swift
/// let state = try SQLiteLinkState(path: "state.db")
/// let runID = try await state.createRun(newRun) { _ in contextBytes }
/// ```
public final class SQLiteLinkState: LinkState {
    public let database: Database
    public let objects: any ObjectStore
    let clock: @Sendable () -> Double

    /// Uses an open, migrated database (`Migrator.flowerStateMigrator`).
    public init(database: Database, clock: @escaping @Sendable () -> Double = FlowerTimestamp.now) {
        self.database = database
        self.clock = clock
        self.objects = SQLiteObjectStore(database: database)
    }

    /// Opens (creating and migrating if needed) the file. Blocks: call at startup.
    public convenience init(path: String, config: DatabaseConfig = .init(),
                            clock: @escaping @Sendable () -> Double = FlowerTimestamp.now) throws(LinkStateError) {
        do {
            self.init(database: try Database.open(path: path, migrator: .flowerStateMigrator, config: config), clock: clock)
        } catch {
            throw .storage(error.description)
        }
    }

    /// Closes the database (waits for queued work).
    public func close() { database.close() }

    // MARK: Transactions with this layer's error type and the clock

    func write<T: Sendable>(_ body: @escaping @Sendable (Connection, Double) throws -> T) async throws(LinkStateError) -> T {
        let clock = self.clock
        do { return try await database.write { conn in try body(conn, clock()) } } catch { throw Self.mapped(error) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Connection, Double) throws -> T) async throws(LinkStateError) -> T {
        let clock = self.clock
        do { return try await database.read { conn in try body(conn, clock()) } } catch { throw Self.mapped(error) }
    }

    /// A read that returns nil when a sweep is due; then `write` sweeps and answers instead.
    func readUnlessSweepDue<T: Sendable>(
        _ read: @escaping @Sendable (Connection, Double) throws -> T?,
        orSweep write: @escaping @Sendable (Connection, Double) throws -> T
    ) async throws(LinkStateError) -> T {
        if let value = try await self.read(read) { return value }
        return try await self.write(write)
    }

    static func mapped(_ error: any Error) -> LinkStateError {
        if let e = error as? LinkStateError { return e }
        if let e = error as? ObjectStoreError { return LinkStateError(e) }
        return .storage("\(error)")
    }
}
