import Foundation
import LinkState
import SQL

/// Opens `--database`: `:flwr-in-memory:` is Flower's in-memory state; anything else is a SQLite
/// file (or `sqlite:///path` URL), created and migrated before any server starts. A file that is
/// not a state database, or is newer than this build, is refused untouched (exit 105).
enum StateOpening {
    static func open(_ database: String) -> any LinkState {
        if database == ":flwr-in-memory:" {
            Log.shared.info("Using InMemoryLinkState")
            return InMemoryLinkState()
        }
        var path = database
        if path.hasPrefix("sqlite:///") { path = String(path.dropFirst("sqlite://".count)) }
        do {
            let state: SQLiteLinkState
            if path == ":memory:" {
                state = try SQLiteLinkState.inMemory()
            } else {
                state = try SQLiteLinkState(path: path)
            }
            Log.shared.info("Using SqlLinkState (\(path))")
            return state
        } catch let error as BootstrapError {
            exitWithError(.databaseSchemaMismatch, "Cannot use database \(path): \(error)")
        } catch {
            exitWithError(.invalidArgs, "Cannot open database \(path): \(error)")
        }
    }
}
