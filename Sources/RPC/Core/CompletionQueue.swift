import CGRPC
import Dispatch
import Foundation

/// A `grpc_completion_queue` drained by dedicated threads (never the cooperative pool).
///
/// Each thread loops on `grpc_completion_queue_next` and dispatches events to their
/// `CompletionTarget`. Targets never block there, so one or two threads suffice.
///
/// `@unchecked Sendable`: `handle` is immutable and valid until `shutdownAndDrain()` returns;
/// the core's queue functions are thread-safe.
final class CompletionQueue: @unchecked Sendable {
    let handle: OpaquePointer
    private let threadCount: Int
    private let exited = DispatchSemaphore(value: 0)

    /// The queue all client calls use; it lives as long as the process.
    static let client = CompletionQueue(threads: 1, name: "rpc-client-cq")

    init(threads: Int, name: String) {
        GRPCLibrary.ensureInitialized()
        handle = grpc_completion_queue_create_for_next(nil)
        threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in
                Self.drain(handle)
                exited.signal()
            }
            thread.name = threadCount == 1 ? name : "\(name)-\(index)"
            thread.start()
        }
    }

    private static func drain(_ queue: OpaquePointer) {
        let forever = gpr_inf_future(GPR_CLOCK_REALTIME)
        while true {
            let event = grpc_completion_queue_next(queue, forever, nil)
            switch event.type {
            case GRPC_OP_COMPLETE:
                CompletionTarget.dispatch(tag: event.tag!, success: event.success != 0)
            case GRPC_QUEUE_SHUTDOWN:
                return
            default:
                continue  // GRPC_QUEUE_TIMEOUT cannot happen with an infinite deadline
            }
        }
    }

    /// Shuts the queue down, waits until its threads have drained every pending event, then
    /// destroys it. Blocks: call from a dedicated thread, never from a queue thread.
    func shutdownAndDrain() {
        grpc_completion_queue_shutdown(handle)
        for _ in 0..<threadCount { exited.wait() }
        grpc_completion_queue_destroy(handle)
    }
}
