import Foundation

/// Flower's process exit codes (protocol §7.8) that Sepal uses.
enum ExitCode: Int32 {
    case success = 0
    case sigint = 1
    case sigquit = 2
    case sigterm = 3
    case superlinkThreadCrash = 100
    case invalidArgs = 104
    case databaseSchemaMismatch = 105
    case addressInvalid = 600
    case tlsNotSupported = 602
    /// argparse's exit status for a command line it cannot parse.
    case usage = 2_000
}

/// Prints one line to stderr and exits with `code` (argparse's usage errors exit 2).
func exitWithError(_ code: ExitCode, _ message: String) -> Never {
    Log.shared.error(message)
    Log.shared.flush()
    exit(code == .usage ? 2 : code.rawValue)
}
