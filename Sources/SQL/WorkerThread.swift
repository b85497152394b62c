import Dispatch
import Foundation

/// Moves a value into a worker thread's closure.
///
/// `@unchecked Sendable` invariant: the value is handed over exactly once — created on the
/// opening thread, then used only by the worker thread it is given to (thread start is the
/// happens-before edge), or lent under the `ConnectionLoan` protocol.
struct Handover<Value>: @unchecked Sendable {
    let value: Value
}

/// A connection lent by its worker thread to a blocking caller (`readBlocking`/`writeBlocking`).
///
/// Protocol: the worker stores the connection and signals `lent`; the borrower takes it only
/// after `lent.wait()` and signals `returned` when done; the worker does not touch the
/// connection between those two signals. So exactly one thread uses the connection at a time.
/// The slot itself is `Locked` so the hand-off is visible to ThreadSanitizer too.
final class ConnectionLoan: Sendable {
    private let slot = Locked<Handover<Connection>?>(nil)
    private let lent = DispatchSemaphore(value: 0)
    private let returned = DispatchSemaphore(value: 0)

    /// Worker side: lend and wait until it comes back.
    func lend(_ conn: Connection) {
        slot.withLock { $0 = Handover(value: conn) }
        lent.signal()
        returned.wait()
        slot.withLock { $0 = nil }
    }

    /// Borrower side: wait for the connection.
    func borrow() -> Connection {
        lent.wait()
        return slot.withLock { $0!.value }
    }

    /// Borrower side: hand it back.
    func giveBack() { returned.signal() }
}

/// Tracks a database's worker threads: which OS threads they are (so blocking calls made from
/// inside a job can be refused instead of deadlocking) and when they have all exited.
final class WorkerRegistry: Sendable {
    private let threadIDs = Locked<Set<UInt>>([])
    private let exited = DispatchSemaphore(value: 0)
    private let started = Locked(0)

    /// Starts a dedicated thread that runs `loop` with `connection`, then closes it.
    /// `afterClose` runs on the thread once the connection is closed.
    func start(
        name: String, connection: Connection, loop: @escaping @Sendable (Connection) -> Void,
        afterClose: @escaping @Sendable () -> Void = {}
    ) {
        started.withLock { $0 += 1 }
        let handover = Handover(value: connection)
        let thread = Thread { [self] in
            let me = Self.currentThreadID()
            threadIDs.withLock { _ = $0.insert(me) }
            loop(handover.value)
            handover.value.close()
            afterClose()
            threadIDs.withLock { _ = $0.remove(me) }
            exited.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Whether the calling thread is one of these workers.
    var isCurrentThreadWorker: Bool {
        let me = Self.currentThreadID()
        return threadIDs.withLock { $0.contains(me) }
    }

    /// Blocks until every started worker has exited.
    func waitForAll() {
        let count = started.withLock { n -> Int in
            defer { n = 0 }
            return n
        }
        for _ in 0..<count { exited.wait() }
    }

    private static func currentThreadID() -> UInt {
        #if os(Linux)
        return UInt(pthread_self())
        #else
        return UInt(bitPattern: pthread_self())
        #endif
    }
}
