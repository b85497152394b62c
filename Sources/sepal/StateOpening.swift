import Foundation
import LinkState
import SQL

/// Opens `--database`: `:flwr-in-memory:` is Flower's in-memory state; anything else is a SQLite
/// file (or `sqlite:///path` URL), created and migrated before any server starts. A file that is
/// not a state database, or is newer than this build, is refused untouched (Flower's exit code
/// 105).
enum StateOpening {
    /// The opened state and how to close it at shutdown (closing the SQLite file checkpoints its
    /// WAL into the main file, so a stopped SuperLink leaves one self-contained file).
    struct Opened {
        let state: any LinkState
        let close: @Sendable () -> Void
    }

    static func open(_ database: String) -> Opened {
        if database == ":flwr-in-memory:" {
            Log.shared.info("Using InMemoryLinkState")
            return Opened(state: InMemoryLinkState(), close: {})
        }
        var path = database
        if path.hasPrefix("sqlite:///") { path = String(path.dropFirst("sqlite://".count)) }
        if let problem = directoryProblem(path) {
            exitWithError(nil, "Cannot open database \(path): \(problem)")
        }
        do {
            let db = try Database.open(path: path, migrator: .flowerStateMigrator)
            Log.shared.info("Using SqlLinkState (\(path == ":memory:" ? "in-memory SQLite" : path))")
            let state = SQLiteLinkState(database: db)
            return Opened(state: state, close: { state.close() })
        } catch {
            if error.isSchemaRefusal {
                exitWithError(.databaseSchemaMismatch, "Refusing database \(path): \(error)")
            }
            exitWithError(nil, "Cannot open database \(path): \(error)")
        }
    }

    /// Why the file's directory cannot hold a database, in words (SQLite only says "unable to
    /// open database file"), or nil when it looks usable.
    static func directoryProblem(_ path: String) -> String? {
        guard path != ":memory:", !path.isEmpty else { return nil }
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) else {
            return "the directory \(dir) does not exist"
        }
        guard isDirectory.boolValue else { return "\(dir) is not a directory" }
        // SQLite creates the -wal and -shm files next to the database, so even an existing
        // file needs a writable directory.
        if access(dir, W_OK) != 0 {
            return "the directory \(dir) is not writable (\(String(cString: strerror(errno))))"
        }
        return nil
    }
}
