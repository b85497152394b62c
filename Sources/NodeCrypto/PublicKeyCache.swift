import Synchronization

/// Parsed public keys by their exact PEM bytes, bounded, evicting the oldest insertion.
///
/// Parsing a PEM costs about as much as a verification, and a SuperNode sends the same
/// key on every call, so the parse is paid once per key. Only successful parses are
/// stored: junk keys must not be able to push real ones out.
final class PublicKeyCache: Sendable {
    private struct State {
        var keys: [[UInt8]: ECPublicKey] = [:]
        /// Insertion order as a ring: `order[next]` is the oldest once the ring is full.
        var order: [[UInt8]] = []
        var next = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { state.withLock { $0.keys.count } }

    /// The cached key for `pem`, parsing and inserting it on a miss; nil if it doesn't parse.
    func key(for pem: [UInt8]) -> ECPublicKey? {
        if let hit = state.withLock({ $0.keys[pem] }) { return hit }
        // Parse outside the lock; a racing duplicate parse is harmless.
        guard let parsed = ECPublicKey(pem: pem) else { return nil }
        return state.withLock { state in
            if let raced = state.keys[pem] { return raced }
            if state.order.count < capacity {
                state.order.append(pem)
            } else {
                state.keys[state.order[state.next]] = nil
                state.order[state.next] = pem
                state.next = (state.next + 1) % capacity
            }
            state.keys[pem] = parsed
            return parsed
        }
    }
}
