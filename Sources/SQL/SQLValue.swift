/// One SQLite value, as stored: SQLite's five storage classes.
///
/// ```swift
/// try conn.execute("INSERT INTO t(a, b) VALUES (?, ?)", SQLValue.text("x"), SQLValue.null)
/// ```
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A Swift value that can be bound to a `?` parameter of a statement.
///
/// Conforming: `SQLValue`, `Int64`, `Int`, `Int32`, `UInt32`, `UInt64` (stored as the same
/// bit pattern in an `Int64`, like Flower's `uint64_to_int64`), `Double`, `String`, `[UInt8]`
/// (a BLOB), `Bool` (0/1) and `Optional` of any of these (`nil` binds NULL).
/// `UInt8` is deliberately not bindable, so a `[UInt8]` can never be mistaken for a list of
/// parameters.
public protocol SQLBindable {
    /// The value SQLite stores for `self`.
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}

extension Int64: SQLBindable {
    public var sqlValue: SQLValue { .integer(self) }
}

extension Int: SQLBindable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int32: SQLBindable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension UInt32: SQLBindable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension UInt64: SQLBindable {
    /// The same 64 bits as a signed integer: values ≥ 2^63 become negative. This is how Flower
    /// stores uint64 node and run IDs, so both implementations read each other's rows.
    public var sqlValue: SQLValue { .integer(Int64(bitPattern: self)) }
}

extension Double: SQLBindable {
    public var sqlValue: SQLValue { .real(self) }
}

extension String: SQLBindable {
    public var sqlValue: SQLValue { .text(self) }
}

extension Substring: SQLBindable {
    public var sqlValue: SQLValue { .text(String(self)) }
}

extension Array: SQLBindable where Element == UInt8 {
    public var sqlValue: SQLValue { .blob(self) }
}

extension Bool: SQLBindable {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue {
        switch self {
        case .none: .null
        case .some(let wrapped): wrapped.sqlValue
        }
    }
}
