/// A proto3 enum. Generated enums are open structs over `Int32` so that values this side does
/// not know still decode and re-encode unchanged:
///
/// ```swift
/// let code = FlwrCode(rawValue: 42)   // not a declared value, still round-trips
/// if code == .ok { ... }
/// ```
public protocol ProtoEnum: Sendable, Hashable {
    var rawValue: Int32 { get }
    init(rawValue: Int32)
}
