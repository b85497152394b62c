/// Caps that keep a hostile archive from costing unbounded memory or time.
public struct ZipLimits: Sendable, Equatable {
    /// Most central-directory entries accepted.
    public var maxEntries: Int
    /// Most bytes one entry may inflate to (its declared size is also capped by this).
    public var maxEntrySize: Int
    /// Most bytes all entries together may inflate to in `extractAll()`.
    public var maxTotalSize: Int

    public init(maxEntries: Int = 10_000, maxEntrySize: Int = 64 * 1024 * 1024, maxTotalSize: Int = 256 * 1024 * 1024) {
        self.maxEntries = maxEntries
        self.maxEntrySize = maxEntrySize
        self.maxTotalSize = maxTotalSize
    }
}
