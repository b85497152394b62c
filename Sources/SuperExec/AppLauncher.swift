import Foundation
import Synchronization

/// Starts app processes (`flwr-serverapp`, `flwr-simulation`) and keeps track of them so they
/// can be stopped with their SuperExec.
public final class AppLauncher: Sendable {
    /// PIDs of apps started and not yet reaped.
    private let children = Mutex<[Int32: Process]>([:])
    /// Send the apps' output to our stderr instead of /dev/null (Flower discards it; logs reach
    /// the user through PushLogs).
    let inheritOutput: Bool

    public init(inheritOutput: Bool = false) {
        self.inheritOutput = inheritOutput
    }

    /// A launch that could not happen.
    public enum LaunchError: Error, CustomStringConvertible {
        case notOnPath(String)
        public var description: String {
            switch self {
            case .notOnPath(let cmd): return "`\(cmd)` was not found on PATH"
            }
        }
    }

    /// The absolute path of `command`: itself if it contains a slash, else the first executable
    /// match on PATH.
    public static func resolve(_ command: String) -> String? {
        let fm = FileManager.default
        if command.contains("/") { return fm.isExecutableFile(atPath: command) ? command : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Launches `executable` (resolved on PATH) with `arguments`; returns its PID.
    public func launch(executable: String, arguments: [String]) throws -> Int32 {
        guard let path = Self.resolve(executable) else { throw LaunchError.notOnPath(executable) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !inheritOutput {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] p in
            _ = self?.children.withLock { $0.removeValue(forKey: p.processIdentifier) }
        }
        try process.run()
        let pid = process.processIdentifier
        children.withLock { $0[pid] = process }
        return pid
    }

    /// PIDs still running.
    public var runningPIDs: [Int32] {
        children.withLock { Array($0.keys) }
    }

    /// SIGTERM every app, then SIGKILL those still alive after `grace`.
    public func terminateAll(grace: Duration) {
        let procs = children.withLock { Array($0.values) }
        for p in procs where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, procs.contains(where: { $0.isRunning }) {
            usleep(20_000)
        }
        for p in procs where p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }
}
