import Synchronization

/// A clock tests move by hand, so expiry is tested without sleeping.
final class TestClock: Sendable {
    private let value: Mutex<Double>

    init(_ start: Double = 1_767_225_600) { value = Mutex(start) }

    var now: Double { value.withLock { $0 } }

    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }

    var closure: @Sendable () -> Double { { [self] in self.now } }
}
