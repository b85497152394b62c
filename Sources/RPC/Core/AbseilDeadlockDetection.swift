import Glibc

/// Turns off Abseil's mutex deadlock detection for the C core's locks.
///
/// Why: Debian's Abseil is built without `NDEBUG`, so every contended `absl::Mutex` acquisition
/// inside gRPC maintains a global lock-order graph (`GraphCycles`, with stack traces). Under
/// Fleet load that bookkeeping was ~5% of the completion-queue thread. It is a debugging aid
/// (its only effect is to abort on a lock-order inversion it spots); release builds of Abseil
/// compile it out, and so do we at run time. The C++ entry point is looked up by its mangled
/// name; where the symbol is absent (another Abseil build) nothing changes.
enum AbseilDeadlockDetection {
    /// `absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore)` in the
    /// `debian3` inline namespace of Debian 12's Abseil 20220623.
    private static let symbols = [
        "_ZN4absl7debian329SetMutexDeadlockDetectionModeENS0_15OnDeadlockCycleE",
    ]
    private static let ignore: Int32 = 0  // OnDeadlockCycle::kIgnore

    /// Call once, before the core starts (it takes effect for locks taken afterwards).
    static func disable() {
        typealias SetMode = @convention(c) (Int32) -> Void
        for name in symbols {
            guard let symbol = dlsym(nil, name) else { continue }
            unsafeBitCast(symbol, to: SetMode.self)(ignore)
            return
        }
    }
}
