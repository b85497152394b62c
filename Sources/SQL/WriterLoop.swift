import CSQLite
import Synchronization

/// Counters of the writer's batching, for tests and diagnostics.
final class WriterStats: Sendable {
    let transactions = Atomic<Int>(0)
    let jobs = Atomic<Int>(0)
    let largestBatch = Atomic<Int>(0)

    func record(batch size: Int) {
        transactions.add(1, ordering: .relaxed)
        jobs.add(size, ordering: .relaxed)
        var current = largestBatch.load(ordering: .relaxed)
        while size > current {
            let (exchanged, original) = largestBatch.compareExchange(
                expected: current, desired: size, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }
}

/// The writer thread's loop: serializes every write, and group-commits queued writes.
///
/// Group commit: when several `write` jobs are already waiting, up to `maxBatch` of them run in
/// one `BEGIN IMMEDIATE … COMMIT`, each inside its own SAVEPOINT — a job that throws rolls back
/// only its own changes and gets its own error; the others commit together. Completions are
/// delivered only after COMMIT, so a returned `write` is always durable (per synchronous=NORMAL).
/// If BEGIN or COMMIT fails, or SQLite aborts the whole transaction mid-batch, every job of that
/// batch gets the error and none of their changes remain.
struct WriterLoop {
    let queue: JobQueue<WriterJob>
    let maxBatch: Int
    let stats: WriterStats

    func run(_ conn: Connection) {
        var carried: WriterJob?
        while let job = carried ?? queue.take() {
            carried = nil
            switch job {
            case .exclusive(let body):
                body(conn)
            case .write(let first):
                var batch = [first]
                while batch.count < maxBatch, let next = queue.tryTake() {
                    guard case .write(let write) = next else {
                        carried = next
                        break
                    }
                    batch.append(write)
                }
                stats.record(batch: batch.count)
                if batch.count == 1 { runAlone(first, conn) } else { runBatch(batch, conn) }
            }
        }
    }

    /// One job, one transaction (no savepoint needed).
    private func runAlone(_ job: WriteJob, _ conn: Connection) {
        do {
            try conn.execute("BEGIN IMMEDIATE")
        } catch {
            job.fail(error)
            return
        }
        let outcome = job.run(conn)
        guard outcome.succeeded else {
            conn.rollbackQuietly()
            outcome.finish(nil)
            return
        }
        outcome.finish(commit(conn))
    }

    private func runBatch(_ jobs: [WriteJob], _ conn: Connection) {
        do {
            try conn.execute("BEGIN IMMEDIATE")
        } catch {
            for job in jobs { job.fail(error) }
            return
        }
        var outcomes: [WriteJob.Outcome] = []
        outcomes.reserveCapacity(jobs.count)
        for (index, job) in jobs.enumerated() {
            do {
                try conn.execute("SAVEPOINT sepal_batch")
            } catch {
                abort(error, outcomes: outcomes, unrun: jobs[index...], conn)
                return
            }
            let outcome = job.run(conn)
            outcomes.append(outcome)
            guard conn.isInTransaction else {
                // SQLite rolled the whole transaction back (SQLITE_FULL, IOERR, …): the earlier
                // jobs' changes are gone too.
                let error = SQLError(code: SQLITE_ABORT, message: "the batched transaction was rolled back by SQLite")
                abort(error, outcomes: outcomes, unrun: jobs[(index + 1)...], conn)
                return
            }
            do {
                if !outcome.succeeded { try conn.execute("ROLLBACK TO sepal_batch") }
                try conn.execute("RELEASE sepal_batch")
            } catch {
                abort(error, outcomes: outcomes, unrun: jobs[(index + 1)...], conn)
                return
            }
        }
        let commitError = commit(conn)
        for outcome in outcomes { outcome.finish(outcome.succeeded ? commitError : nil) }
    }

    /// COMMIT, or ROLLBACK and the reason it could not commit.
    private func commit(_ conn: Connection) -> (any Error)? {
        guard conn.isInTransaction else {
            return SQLError(code: SQLITE_ABORT, message: "the transaction was rolled back by SQLite")
        }
        do {
            try conn.execute("COMMIT")
            return nil
        } catch {
            conn.rollbackQuietly()
            return error
        }
    }

    /// Fails a whole batch: roll back, report `error` to every job that ran successfully (failed
    /// ones keep their own error) and to those not yet run.
    private func abort(_ error: any Error, outcomes: [WriteJob.Outcome], unrun: ArraySlice<WriteJob>, _ conn: Connection) {
        conn.rollbackQuietly()
        for outcome in outcomes { outcome.finish(outcome.succeeded ? error : nil) }
        for job in unrun { job.fail(error) }
    }
}
