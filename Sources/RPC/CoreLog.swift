import CGRPC
import Glibc
import Synchronization

/// Where the C core's own log lines go (by default: stderr, errors only, e.g. a failed bind or
/// TLS handshake). The executable can route them into its logger, or drop them.
///
/// ```swift
/// CoreLog.route { severity, message in logger.log("grpc \(severity): \(message)") }
/// ```
public enum CoreLog {
    public enum Severity: Sendable, Equatable {
        case debug, info, error
    }

    public typealias Handler = @Sendable (Severity, String) -> Void

    private static let handler = Mutex<Handler?>(nil)

    /// Sends the core's log lines to `handler`; `nil` restores printing to stderr.
    public static func route(_ newHandler: Handler?) {
        GRPCLibrary.ensureInitialized()
        handler.withLock { $0 = newHandler }
        gpr_set_log_function(forward)
    }

    /// The core logs only at or above this severity (`GRPC_VERBOSITY` sets it at start-up).
    public static func setMinimumSeverity(_ severity: Severity) {
        GRPCLibrary.ensureInitialized()
        switch severity {
        case .debug: gpr_set_log_verbosity(GPR_LOG_SEVERITY_DEBUG)
        case .info: gpr_set_log_verbosity(GPR_LOG_SEVERITY_INFO)
        case .error: gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR)
        }
    }

    private static let forward: gpr_log_func = { arguments in
        guard let arguments = arguments?.pointee else { return }
        let message = arguments.message.map { String(cString: $0) } ?? ""
        let severity: Severity
        switch arguments.severity {
        case GPR_LOG_SEVERITY_DEBUG: severity = .debug
        case GPR_LOG_SEVERITY_INFO: severity = .info
        default: severity = .error
        }
        if let handler = CoreLog.handler.withLock({ $0 }) {
            handler(severity, message)
        } else {
            let file = arguments.file.map { String(cString: $0) } ?? "?"
            let line = "grpc \(severity) \(file):\(arguments.line)] \(message)\n"
            _ = Array(line.utf8).withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }
}
