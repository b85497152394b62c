import Foundation
import Synchronization

/// Starts app processes (`flwr-serverapp`, `flwr-simulation`) and keeps track of them so they
/// can be stopped with their SuperExec.
///
/// Each app runs in its own process group, and everything in that group goes with the app: `flwr-simulation` starts a whole
/// Ray cluster (gcs_server, raylet, dashboard and runtime-env agents, workers) in its group, and
/// some of those outlive a terminated driver. So stopping signals the group, and when an app
/// exits on its own whatever it left in its group is stopped too.
public final class AppLauncher: Sendable {
    /// PIDs of apps started and not yet reaped.
    private let children = Mutex<Set<Int32>>([])
    /// Send the apps' output to our stderr instead of /dev/null (Flower discards it; logs reach
    /// the user through PushLogs).
    let inheritOutput: Bool

    public init(inheritOutput: Bool = false) {
        self.inheritOutput = inheritOutput
    }

    /// A launch that could not happen.
    public enum LaunchError: Error, CustomStringConvertible {
        case notOnPath(String)
        case spawnFailed(String, String)
        public var description: String {
            switch self {
            case .notOnPath(let cmd): return "`\(cmd)` was not found on PATH"
            case .spawnFailed(let path, let reason): return "Cannot start \(path): \(reason)"
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

    /// Launches `executable` (resolved on PATH) with `arguments` and this process's environment
    /// plus `environment` (which wins); returns its PID.
    ///
    /// `posix_spawn`, not Foundation's `Process`: `Process` learns of an exit through a socket
    /// the child inherits, so it would not see the app end while anything the app started
    /// (Ray) still holds that socket. Here the child gets only stdin/stdout/stderr, leads a new
    /// process group, starts with default signal dispositions and an empty mask (whatever this
    /// process ignores or blocks for its own signal handling is not inherited), and a
    /// dedicated thread reaps it.
    public func launch(executable: String, arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
        guard let path = Self.resolve(executable) else { throw LaunchError.notOnPath(executable) }
        let pid = try Self.spawn(path: path, arguments: arguments, environment: environment, inheritOutput: inheritOutput)
        _ = children.withLock { $0.insert(pid) }
        let reaper = Thread { [weak self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            _ = self?.children.withLock { $0.remove(pid) }
            // The app is gone; its group may not be (Ray's agents). Stop the leftovers.
            Self.terminateGroup(pid, grace: .seconds(5))
        }
        reaper.name = "sepal-app-reaper-\(pid)"
        reaper.start()
        return pid
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private static func spawn(
        path: String, arguments: [String], environment: [String: String], inheritOutput: Bool
    ) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if !inheritOutput {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // Nothing but 0-2 reaches the app (glibc ≥ 2.34; not exported by Swift's Glibc module).
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, override in override }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") }
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { args in
            (envp + [nil]).withUnsafeBufferPointer { env in
                posix_spawn(
                    &pid, path, &actions, &attributes, UnsafeMutablePointer(mutating: args.baseAddress!),
                    UnsafeMutablePointer(mutating: env.baseAddress!))
            }
        }
        guard result == 0 else { throw LaunchError.spawnFailed(path, String(cString: strerror(result))) }
        return pid
    }

    /// PIDs still running.
    public var runningPIDs: [Int32] {
        children.withLock { Array($0) }
    }

    /// SIGTERM every app's process group, then SIGKILL what is still alive after `grace`.
    /// Blocks (call it from a thread, not the cooperative pool) until every group is empty or
    /// has been killed.
    public func terminateAll(grace: Duration) {
        let groups = children.withLock { Array($0) }
        for group in groups { Self.signalGroup(group, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, groups.contains(where: Self.groupExists) {
            usleep(20_000)
        }
        for group in groups where Self.groupExists(group) { Self.signalGroup(group, SIGKILL) }
    }

    /// SIGTERM the process group led by `group`, SIGKILL it after `grace` if anything is left.
    static func terminateGroup(_ group: Int32, grace: Duration) {
        guard groupExists(group) else { return }
        signalGroup(group, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, groupExists(group) { usleep(50_000) }
        if groupExists(group) { signalGroup(group, SIGKILL) }
    }

    /// True while any process of the group `group` exists.
    static func groupExists(_ group: Int32) -> Bool {
        if kill(-group, 0) == 0 || errno == EPERM { return true }
        return kill(group, 0) == 0  // a live child outside its own group
    }

    private static func signalGroup(_ group: Int32, _ signal: Int32) {
        guard group > 1 else { return }
        // A live child that does not lead its own group (not how Foundation starts it, but
        // never assume) gets the signal alone: its PID names no group of ours.
        let leader = getpgid(group)
        if leader >= 0 && leader != group {
            _ = kill(group, signal)
        } else {
            _ = kill(-group, signal)
        }
    }
}
