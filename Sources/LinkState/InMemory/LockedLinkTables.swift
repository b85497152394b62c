import Synchronization

/// The one lock around `LinkTables`, shared by `InMemoryLinkState` and its object-store view.
final class LockedLinkTables: Sendable {
    private let mutex = Mutex(LinkTables())

    func withLock<T: Sendable, E: Error>(_ body: (inout LinkTables) throws(E) -> T) throws(E) -> T {
        try mutex.withLock { (tables: inout LinkTables) throws(E) -> T in try body(&tables) }
    }
}
