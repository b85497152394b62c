import LinkState

extension Backends {
    /// SQLite-backed states (added once the SQL layer lands).
    static var sqlite: [Backend] { [] }
}
