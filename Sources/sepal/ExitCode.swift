import Foundation

/// Flower's exit codes (protocol §7.8) that Sepal uses.
///
/// They are *log* codes, not process statuses: Flower 1.28's `flwr_exit` logs
/// `Exit Code: <code>` and then exits the process with status 1 for an error code (≥ 100) and
/// 0 for a graceful one (0–99, e.g. a signal). Sepal does the same, so scripts and service
/// managers see exactly what `flower-superlink` gives them (a process status cannot even carry
/// 600: it would arrive as 600 mod 256 = 88).
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

    /// The process status Flower exits with for this code.
    var processStatus: Int32 { rawValue < 100 ? 0 : 1 }

    /// Flower's short help for the code (its `EXIT_CODE_HELP`), printed after the message.
    var help: String {
        switch self {
        case .success, .sigint, .sigquit, .sigterm: return ""
        case .superlinkThreadCrash: return "An important background thread has crashed."
        case .invalidArgs:
            return "Invalid arguments provided to SuperLink. Use `--help` check for the correct usage. Alternatively, check the documentation."
        case .databaseSchemaMismatch:
            return "The database schema does not match the expected schema for this version of SuperLink. Please refer to the documentation for guidance on how to resolve this issue."
        case .addressInvalid: return "Please provide a valid URL, IPv4 or IPv6 address."
        case .tlsNotSupported: return "Please use the '--insecure' flag."
        }
    }

    /// Flower's help page for the code.
    var helpURL: String { "https://flower.ai/docs/framework/1.28/en/ref-exit-codes/\(rawValue).html" }
}

/// The process status of a failure Flower reports without an exit code (a plain error line and
/// `sys.exit(1)`, e.g. a port already in use or a missing TLS file).
let genericFailureStatus: Int32 = 1

/// argparse's process status for a command line it cannot parse.
let usageStatus: Int32 = 2

/// Logs `message` and exits with the status Flower uses: 1 for every error. With a `code` it is
/// Flower's exit record: one `ERROR` entry of `Exit Code: N`, the message, the code's short help
/// and its documentation link (`flwr_exit`'s layout); without, one plain `ERROR` line.
func exitWithError(_ code: ExitCode?, _ message: String) -> Never {
    if let code {
        var text = "Exit Code: \(code.rawValue)\n\(message)"
        if !code.help.isEmpty { text += "\n\(code.help)" }
        text += "\n\nFor more information, visit: <\(code.helpURL)>"
        Log.shared.error(text)
    } else {
        Log.shared.error(message)
    }
    Log.shared.flush()
    exit(code?.processStatus ?? genericFailureStatus)
}

/// Prints argparse's usage and `prog: error: message` to stderr and exits with status 2.
func exitWithUsageError(usage: String, program: String, _ message: String) -> Never {
    FileHandle.standardError.write(Data((usage + "\n\(program): error: \(message)\n").utf8))
    exit(usageStatus)
}
