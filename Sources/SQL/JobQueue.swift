import Dispatch

/// A FIFO of jobs served by one or more dedicated worker threads (never the cooperative pool).
///
/// Counting: every accepted job signals `available` once and `close()` signals once per worker,
/// so each worker eventually takes exactly one "closed and empty" wake-up and exits after the
/// queue has drained.
final class JobQueue<Job: Sendable>: Sendable {

    private struct State {
        var jobs: [Job?] = []
        var head = 0
        var isClosed = false

        var pending: Int { jobs.count - head }

        mutating func pop() -> Job? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            jobs[head] = nil
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    private let state = Locked(State())
    private let available = DispatchSemaphore(value: 0)
    let workerCount: Int

    init(workerCount: Int) { self.workerCount = workerCount }

    /// Enqueues `job`; `false` when the queue is closed (the job will never run).
    func submit(_ job: Job) -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard !s.isClosed else { return false }
            s.jobs.append(job)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Blocks until a job is available; `nil` once the queue is closed and drained.
    func take() -> Job? {
        available.wait()
        return state.withLock { s in s.pop() }
    }

    /// The next job if one is already queued, without blocking (for group commit).
    func tryTake() -> Job? {
        guard available.wait(timeout: .now()) == .success else { return nil }
        guard let job = state.withLock({ s in s.pop() }) else {
            // That wake-up was a close signal: hand it back for the worker's exit path.
            available.signal()
            return nil
        }
        return job
    }

    /// Stops accepting jobs; workers finish what is queued, then exit. Idempotent.
    func close() {
        let first = state.withLock { s -> Bool in
            defer { s.isClosed = true }
            return !s.isClosed
        }
        if first { for _ in 0..<workerCount { available.signal() } }
    }

    var isClosed: Bool { state.withLock { $0.isClosed } }
}
