import CGRPC
import Dispatch
import Foundation
import Glibc

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
            let threadName = threadCount == 1 ? name : "\(name)-\(index)"
            let thread = Thread { [self] in
                Self.nameCurrentThread(threadName)
                Self.drain(handle)
                exited.signal()
            }
            thread.start()
        }
    }

    /// Names the calling thread for `top -H` and /proc (Linux keeps 15 bytes). Foundation's
    /// `Thread.name` does not reach the kernel here, and `pthread_setname_np` is not imported.
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
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
