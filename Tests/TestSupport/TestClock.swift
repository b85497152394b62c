import Synchronization

/// A clock tests move by hand, so expiry and offline detection are tested without sleeping. Share
/// `closure` with the code under test.
public final class TestClock: Sendable {
    private let value: Mutex<Double>

    /// Starts at `start` Unix seconds (2026-01-01T00:00:00Z by default).
    public init(_ start: Double = 1_767_225_600) { value = Mutex(start) }

    public var now: Double { value.withLock { $0 } }

    public func advance(_ seconds: Double) { value.withLock { $0 += seconds } }

    public var closure: @Sendable () -> Double { { [self] in self.now } }
}
