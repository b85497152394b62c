/// The mutable tree the TOML parser builds, with the bookkeeping TOML's "define once"
/// rules need. Converted to an immutable `TOMLValue` at the end.
final class TOMLTable {
    enum Origin {
        /// Created as a parent of a `[a.b.c]` header; may be defined later by its own header.
        case implicit
        /// Defined by its own `[header]` or as an element of `[[header]]`.
        case header
        /// Created by a dotted key (`a.b = 1`); may be extended by dotted keys only.
        case dotted
        /// An inline table `{...}`: sealed.
        case inline
    }

    enum Node {
        case value(TOMLValue)
        case table(TOMLTable)
        /// `[[header]]` arrays (static arrays are `.value`).
        case tables([TOMLTable])
    }

    var origin: Origin
    private(set) var order: [String] = []
    private(set) var nodes: [String: Node] = [:]

    init(origin: Origin) {
        self.origin = origin
    }

    subscript(key: String) -> Node? {
        get { nodes[key] }
        set {
            if nodes[key] == nil { order.append(key) }
            nodes[key] = newValue
        }
    }

    var value: TOMLValue {
        .table(order.map { key in
            switch nodes[key]! {
            case .value(let v): return (key, v)
            case .table(let t): return (key, t.value)
            case .tables(let ts): return (key, .array(ts.map(\.value)))
            }
        })
    }
}
