import Foundation

/// A value guarded by a pthread mutex (via `NSLock`).
///
/// Used instead of `Synchronization.Mutex` for the worker hand-offs because ThreadSanitizer
/// cannot see `Mutex`'s contended (futex) path on Linux and reports false races through it;
/// `pthread_mutex_*` is intercepted, so a TSan run over anything built on this layer stays clean.
///
/// `@unchecked Sendable` invariant: `value` is only read or written inside `withLock`.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
