import Dispatch
import Foundation
import Synchronization

/// Termination signals handled as Flower does: SIGINT, SIGTERM and SIGQUIT stop gracefully
/// (Flower codes 1, 3 and 2, which are graceful: the process exits 0).
enum Signals {
    struct Received: Sendable {
        let number: Int32
        var name: String {
            switch number {
            case SIGINT: return "SIGINT"
            case SIGTERM: return "SIGTERM"
            case SIGQUIT: return "SIGQUIT"
            default: return "signal \(number)"
            }
        }
        var exitCode: ExitCode {
            switch number {
            case SIGINT: return .sigint
            case SIGQUIT: return .sigquit
            default: return .sigterm
            }
        }
    }

    /// Keeps the dispatch sources alive for the life of the process. Written only by
    /// `onTermination`, which runs once at startup on the main thread, before any signal.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let fired = Atomic<Bool>(false)

    /// Runs `handler` once, off the main thread, on the first termination signal.
    static func onTermination(_ handler: @escaping @Sendable (Received) -> Void) {
        let queue = DispatchQueue(label: "sepal.signals")
        for sig in [SIGINT, SIGTERM, SIGQUIT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
                // Shutdown blocks; run it on its own thread, not a dispatch worker.
                let t = Thread { handler(Received(number: sig)) }
                t.start()
            }
            source.resume()
            sources.append(source)
        }
    }
}
