import Foundation
import Synchronization

/// `--isolation subprocess`: the SuperLink runs `sepal superexec` as its child, restarts it
/// (with backoff) if it dies, and stops it — and through it every app — when the SuperLink stops.
final class SuperExecSupervisor: Sendable {
    private let appIoAddress: String
    private struct State {
        var process: Process?
        var stopping = false
        var restarts = 0
    }
    private let state = Mutex(State())

    init(appIoAddress: String) {
        self.appIoAddress = appIoAddress
    }

    func start() {
        spawn()
    }

    private func spawn() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ownExecutable)
        process.arguments = [
            "superexec", "--insecure", "--appio-api-address", appIoAddress,
            "--plugin-type", "serverapp", "--parent-pid", String(getpid()),
        ]
        process.terminationHandler = { [weak self] p in
            self?.exited(p)
        }
        do {
            try process.run()
            state.withLock { $0.process = process }
            Log.shared.info("Started SuperExec (pid \(process.processIdentifier)) for ServerAppIo \(appIoAddress)")
        } catch {
            Log.shared.error("Cannot start SuperExec: \(error)")
        }
    }

    private func exited(_ p: Process) {
        let (stopping, restarts) = state.withLock { s -> (Bool, Int) in
            s.process = nil
            if !s.stopping { s.restarts += 1 }
            return (s.stopping, s.restarts)
        }
        guard !stopping else { return }
        let delay = min(Double(1 << min(restarts - 1, 5)), 30)
        let how = p.terminationReason == .uncaughtSignal
            ? "was killed by signal \(p.terminationStatus)" : "exited with status \(p.terminationStatus)"
        Log.shared.error("SuperExec \(how); restarting in \(Int(delay)) s")
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self, !self.state.withLock({ $0.stopping }) else { return }
            self.spawn()
        }
    }

    /// SIGTERM the SuperExec (it stops its apps) and wait for it, SIGKILL after a grace period.
    func stop() {
        let p = state.withLock { s -> Process? in
            s.stopping = true
            return s.process
        }
        guard let p, p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }

    /// This binary's path.
    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
