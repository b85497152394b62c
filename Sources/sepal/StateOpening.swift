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
            let db = try Database.open(path: path, migrator: .flowerStateMigrator)
            Log.shared.info("Using SqlLinkState (\(path == ":memory:" ? "in-memory SQLite" : path))")
            return SQLiteLinkState(database: db)
        } catch {
            if error.isSchemaRefusal {
                exitWithError(.databaseSchemaMismatch, "Refusing database \(path): \(error)")
            }
            exitWithError(.invalidArgs, "Cannot open database \(path): \(error)")
        }
    }
}
