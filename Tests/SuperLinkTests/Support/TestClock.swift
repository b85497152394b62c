import FlowerTime
import NodeCrypto
import Synchronization

/// A clock tests move by hand, shared by the state, the servicers and the signing test nodes, so
/// expiry and offline detection are tested without sleeping. Starts at the real time: Flower's
/// validator refuses messages created before 2025.
final class TestClock: Sendable {
    private let value: Mutex<Double>

    init(_ start: Double = FlowerTimestamp.now()) { value = Mutex(start) }

    var now: Double { value.withLock { $0 } }

    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }

    var closure: @Sendable () -> Double { { [self] in self.now } }
}
