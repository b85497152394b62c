/// One queued `Database.write`: the body to run inside the writer's transaction, and how to
/// report back once that transaction's fate is known.
struct WriteJob: Sendable {
    /// What running the body produced: whether it succeeded (its changes may be committed) and
    /// the completion to call after COMMIT (`nil`) or after the batch failed (the error).
    struct Outcome {
        let succeeded: Bool
        let finish: @Sendable ((any Error)?) -> Void
    }

    let run: @Sendable (Connection) -> Outcome
    /// Reports a failure without running the body (the transaction could not even begin).
    let fail: @Sendable (any Error) -> Void

    init<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        run = { conn in
            do {
                let value = try body(conn)
                return Outcome(succeeded: true) { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: value) }
                }
            } catch {
                return Outcome(succeeded: false) { _ in continuation.resume(throwing: error) }
            }
        }
        fail = { error in continuation.resume(throwing: error) }
    }
}

/// What the writer thread's queue carries.
enum WriterJob: Sendable {
    /// A transactional write (may be group-committed with its neighbours).
    case write(WriteJob)
    /// Anything that needs the connection to itself, outside any transaction: lending it to a
    /// blocking caller, or a read when the database has no reader connections.
    case exclusive(@Sendable (Connection) -> Void)
}
