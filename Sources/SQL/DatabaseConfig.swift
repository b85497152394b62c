/// Tuning for `Database.open`. The SQLite pragmas themselves are fixed to Flower's
/// (`busy_timeout`, WAL, `synchronous=NORMAL`, `foreign_keys=ON`, `cache_size=-64000`,
/// `temp_store=MEMORY`, `mmap_size=268435456`).
public struct DatabaseConfig: Sendable, Equatable {
    /// `busy_timeout` of every connection, in milliseconds (Flower: 5000).
    public var busyTimeoutMs: Int32
    /// Reader connections (each with its own thread). 0 sends reads to the writer thread.
    public var readerCount: Int
    /// Total time `open` keeps retrying while other connections or processes hold the file
    /// locked during a first-time bootstrap.
    public var bootstrapTimeoutMs: Int
    /// Prepared statements kept per connection before the cache is flushed.
    public var statementCacheCapacity: Int
    /// Group commit: how many queued `write` jobs the writer may run in one transaction (each in
    /// its own SAVEPOINT, so one job's failure rolls back only that job). 1 = one transaction per
    /// job.
    public var maxWriteBatch: Int

    public init(
        busyTimeoutMs: Int32 = 5000,
        readerCount: Int = 2,
        bootstrapTimeoutMs: Int = 60_000,
        statementCacheCapacity: Int = 256,
        maxWriteBatch: Int = 64
    ) {
        self.busyTimeoutMs = busyTimeoutMs
        self.readerCount = readerCount
        self.bootstrapTimeoutMs = bootstrapTimeoutMs
        self.statementCacheCapacity = statementCacheCapacity
        self.maxWriteBatch = maxWriteBatch
    }
}
