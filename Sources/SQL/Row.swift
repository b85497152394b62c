/// One result row: the column values of a `SELECT`, in column order.
///
/// The typed accessors return `nil` for NULL and for values of another storage class, with two
/// conveniences matching SQLite's own affinity rules: `double(_:)` accepts an INTEGER, and
/// `int64(_:)` accepts a REAL that holds an exact integer.
public struct Row: Sendable, Equatable {
    /// The values, in column order.
    public let values: [SQLValue]

    public init(_ values: [SQLValue]) { self.values = values }

    /// Number of columns.
    public var count: Int { values.count }

    /// The value of column `i` (0-based). Out-of-range indexes are a programming error.
    public subscript(i: Int) -> SQLValue { values[i] }

    public func isNull(_ i: Int) -> Bool { values[i] == .null }

    public func int64(_ i: Int) -> Int64? {
        switch values[i] {
        case .integer(let v): return v
        case .real(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    public func int(_ i: Int) -> Int? { int64(i).flatMap { Int(exactly: $0) } }

    /// The integer reinterpreted as unsigned (the inverse of binding a `UInt64`):
    /// `-4027269956558665058` reads as `14419474117150886558`.
    public func uint64(_ i: Int) -> UInt64? { int64(i).map { UInt64(bitPattern: $0) } }

    public func double(_ i: Int) -> Double? {
        switch values[i] {
        case .real(let d): return d
        case .integer(let v): return Double(v)
        default: return nil
        }
    }

    public func string(_ i: Int) -> String? {
        if case .text(let s) = values[i] { return s }
        return nil
    }

    public func blob(_ i: Int) -> [UInt8]? {
        if case .blob(let b) = values[i] { return b }
        return nil
    }

    /// 0 is `false`, any other integer `true`.
    public func bool(_ i: Int) -> Bool? { int64(i).map { $0 != 0 } }
}
