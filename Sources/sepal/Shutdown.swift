import Foundation
import Synchronization

/// The graceful stop of a process that starts in steps: each part registers how to stop it as
/// soon as it is up, and the first termination signal stops whatever is up, newest first, then
/// exits with Flower's status for a graceful exit (0).
///
/// Installed before anything is opened, so a signal that arrives during startup (e.g. right
/// after a port starts accepting) is still a graceful exit — never the default "killed by
/// SIGTERM" — and the state database is closed cleanly (its WAL checkpointed into the file).
final class Shutdown: Sendable {
    private struct Steps {
        var stops: [(name: String, run: @Sendable () -> Void)] = []
        var started = false
    }
    private let steps = Mutex(Steps())
    private let farewell: String

    /// `farewell` is logged after every step ran (Flower: "SuperLink terminated gracefully.").
    init(farewell: String) {
        self.farewell = farewell
    }

    /// Handles SIGINT, SIGTERM and SIGQUIT from now on.
    func installSignalHandlers() {
        Signals.onTermination { [self] signal in run(signal) }
    }

    /// Registers how to stop a part that just came up. Ignored once the stop began: the process
    /// is exiting and takes the part with it.
    func add(_ name: String, _ stop: @escaping @Sendable () -> Void) {
        steps.withLock { s in
            if !s.started { s.stops.append((name, stop)) }
        }
    }

    /// Stops everything registered (newest first) and exits.
    func run(_ signal: Signals.Received) -> Never {
        let stops = steps.withLock { s -> [(name: String, run: @Sendable () -> Void)] in
            s.started = true
            return s.stops.reversed()
        }
        Log.shared.info("Received \(signal.name): shutting down")
        for stop in stops {
            Log.shared.debug("Stopping \(stop.name)")
            stop.run()
        }
        Log.shared.info(farewell)
        Log.shared.flush()
        exit(signal.exitCode.processStatus)
    }
}
