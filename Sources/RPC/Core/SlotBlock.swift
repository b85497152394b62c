/// One heap block carved into typed slots: the receive targets of a call, which must sit at
/// fixed addresses until their batch completes (Swift's `&value` gives no such guarantee).
///
/// One allocation per call instead of one per target. All slot types are trivial C types, so
/// freeing the block needs no deinitialisation.
struct SlotBlock {
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0

    /// `capacity` must cover every slot's stride plus alignment padding; see `bytes(for:)`.
    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    /// An upper bound on the bytes needed for one slot of `type`.
    static func bytes<T>(for type: T.Type) -> Int {
        MemoryLayout<T>.stride + MemoryLayout<T>.alignment
    }

    /// The next slot, initialised to `value`.
    mutating func slot<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let alignment = MemoryLayout<T>.alignment
        used = (used + alignment - 1) / alignment * alignment
        precondition(used + MemoryLayout<T>.stride <= capacity, "SlotBlock capacity too small")
        let pointer = (base + used).bindMemory(to: T.self, capacity: 1)
        pointer.initialize(to: value)
        used += MemoryLayout<T>.stride
        return pointer
    }

    func deallocate() {
        base.deallocate()
    }
}
