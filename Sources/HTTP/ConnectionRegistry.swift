import Dispatch
import Glibc
import Synchronization

/// The live connections of a server and the phase that decides what each may still do. Only
/// the registry shuts sockets down from outside their thread, and only while the connection is
/// registered: a connection thread deregisters before it closes its descriptor, so a reused
/// descriptor number is never touched.
final class ConnectionRegistry: Sendable {
    enum Phase: Equatable {
        case serving
        /// No new connections or requests; requests in handlers may finish and answer.
        case draining
        /// Handlers are cancelled and every socket shut down.
        case forcing
    }

    private struct Entry {
        let fd: Int32
        var busy = false
        var task: Task<Void, Never>?
    }

    private struct State {
        var phase = Phase.serving
        var nextID = 0
        var entries: [Int: Entry] = [:]
        var drainSignalled = false
    }

    private let state = Mutex(State())
    private let drained = DispatchSemaphore(value: 0)
    let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    /// Registers an accepted socket; nil when stopping or full (the caller refuses it).
    func admit(fd: Int32) -> Int? {
        state.withLock { s in
            guard s.phase == .serving, s.entries.count < maxConnections else { return nil }
            s.nextID += 1
            s.entries[s.nextID] = Entry(fd: fd)
            return s.nextID
        }
    }

    /// The connection starts handling a request in `task`. False once the server stops taking
    /// requests (the caller cancels the task's work by not starting it and closes).
    func beginRequest(_ id: Int) -> Bool {
        state.withLock { s in
            guard s.phase == .serving else { return false }
            s.entries[id]?.busy = true
            return true
        }
    }

    /// The task running the request's handler, so a forced stop can cancel it.
    func attach(_ task: Task<Void, Never>, to id: Int) {
        let cancel = state.withLock { s -> Bool in
            s.entries[id]?.task = task
            return s.phase == .forcing
        }
        if cancel { task.cancel() }
    }

    /// The response was written; true if the connection may wait for another request.
    func endRequest(_ id: Int) -> Bool {
        state.withLock { s in
            s.entries[id]?.busy = false
            s.entries[id]?.task = nil
            return s.phase == .serving
        }
    }

    var isServing: Bool { state.withLock { $0.phase == .serving } }

    /// Deregisters a connection; its thread closes the descriptor right after.
    func remove(_ id: Int) {
        let signal = state.withLock { s -> Bool in
            s.entries[id] = nil
            return Self.takeDrainSignal(&s)
        }
        if signal { drained.signal() }
    }

    /// Stops taking connections and requests: idle connections are shut down now, requests in
    /// handlers get `grace` to answer, then their tasks are cancelled and their sockets shut
    /// down. Returns once every connection has deregistered.
    func drain(grace: Duration) {
        let signal = state.withLock { s -> Bool in
            if s.phase == .serving { s.phase = .draining }
            for entry in s.entries.values where !entry.busy { _ = shutdown(entry.fd, Int32(SHUT_RDWR)) }
            return Self.takeDrainSignal(&s)
        }
        if signal { drained.signal() }
        let (seconds, attoseconds) = grace.components
        let nanos = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        if drained.wait(timeout: .now() + .nanoseconds(Int(clamping: nanos))) == .success { return }
        state.withLock { s in
            s.phase = .forcing
            for entry in s.entries.values {
                entry.task?.cancel()
                _ = shutdown(entry.fd, Int32(SHUT_RDWR))
            }
        }
        drained.wait()
    }

    /// True exactly once: the first time the registry is stopping and empty.
    private static func takeDrainSignal(_ s: inout State) -> Bool {
        guard s.phase != .serving, s.entries.isEmpty, !s.drainSignalled else { return false }
        s.drainSignalled = true
        return true
    }
}
