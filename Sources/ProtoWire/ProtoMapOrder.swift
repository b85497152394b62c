/// The order in which map entries are encoded: exactly what Python protobuf (the upb backend,
/// protobuf 4+) writes with `SerializeToString(deterministic=True)`, so Swift and Python produce
/// identical bytes for messages with maps.
///
/// upb's order is not the "obvious" ascending one (that is C++'s):
/// - integer and bool keys are written in **descending** order: `300, 10, 2`;
/// - string keys are compared byte-wise (UTF-8) over their common prefix, ascending, and when
///   one key is a prefix of the other the **longer** comes first: `"ab", "a", "b", ""`.
///
/// Observed on flwr 1.28's protobuf 6.33 (`ListRunsResponse.run_dict`, `Fab.verifications`).
/// Decoders accept entries in any order; this only matters for byte-for-byte equality.
public enum ProtoMapOrder {
    @inlinable
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case let (l?, r?):
                if l != r { return l < r }
            case (_?, nil):
                return true    // rhs is a proper prefix of lhs: the longer key goes first
            case (nil, _?), (nil, nil):
                return false   // lhs is a prefix of rhs, or equal
            }
        }
    }

    @inlinable
    public static func precedes<Key: BinaryInteger>(_ lhs: Key, _ rhs: Key) -> Bool {
        lhs > rhs
    }

    @inlinable
    public static func precedes(_ lhs: Bool, _ rhs: Bool) -> Bool {
        lhs && !rhs
    }
}
