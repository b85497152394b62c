import CGRPC

/// Base class of every object that waits for completion-queue events: server calls, client
/// calls, shutdown notifications.
///
/// A tag handed to the C core is this object's address with a small "kind" number in the low
/// bits (objects are at least 8-byte aligned), plus one retain that the completion gives back.
/// So a batch costs no allocation of its own, and an object cannot vanish while the core still
/// holds one of its tags. Exactly one completion arrives per accepted tag; when the core refuses
/// a batch, the caller gives the retain back with `releaseTag`.
///
/// `@unchecked Sendable`: subclasses guard their own mutable state (a `Mutex`) and only touch
/// C storage they own; `complete` is called on a completion-queue thread.
class CompletionTarget: @unchecked Sendable {
    static let kindMask: UInt = 0b111

    /// Handles the completion of the tag of `kind`. Runs on a completion-queue thread: must not
    /// block, and should hand anything slow to a Task.
    func complete(kind: UInt, success: Bool) {
        preconditionFailure("CompletionTarget.complete must be overridden")
    }

    /// A tag for the core that keeps `self` alive until its completion is dispatched.
    final func retainedTag(kind: UInt) -> UnsafeMutableRawPointer {
        precondition(kind <= Self.kindMask)
        let base = Unmanaged.passRetained(self).toOpaque()
        assert(UInt(bitPattern: base) & Self.kindMask == 0, "object address not 8-byte aligned")
        return base + Int(kind)
    }

    /// Gives back the retain of a tag the core refused (its completion will never come).
    static func releaseTag(_ tag: UnsafeMutableRawPointer) {
        let (object, _) = decode(tag)
        object.release()
    }

    /// Routes one `GRPC_OP_COMPLETE` event to its object, consuming the tag's retain.
    static func dispatch(tag: UnsafeMutableRawPointer, success: Bool) {
        let (object, kind) = decode(tag)
        object.takeRetainedValue().complete(kind: kind, success: success)
    }

    private static func decode(_ tag: UnsafeMutableRawPointer) -> (Unmanaged<CompletionTarget>, UInt) {
        let bits = UInt(bitPattern: tag)
        let base = UnsafeMutableRawPointer(bitPattern: bits & ~kindMask)!
        return (Unmanaged<CompletionTarget>.fromOpaque(base), bits & kindMask)
    }
}
