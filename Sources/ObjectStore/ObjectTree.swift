/// The tree of object IDs that mirrors a Message object's children (Flower's `ObjectTree`
/// proto, as a plain value so the store does not depend on the wire types).
///
/// ```swift
/// let tree = ObjectTree(objectID: messageID, children: [ObjectTree(objectID: recordDictID)])
/// tree.postOrder.map(\.objectID)   // [recordDictID, messageID]
/// ```
public struct ObjectTree: Sendable, Equatable, Hashable {
    /// Lowercase sha256 hex of the object's deflated bytes.
    public var objectID: String
    /// Direct children, in the order the parent's head lists them.
    public var children: [ObjectTree]

    public init(objectID: String, children: [ObjectTree] = []) {
        self.objectID = objectID
        self.children = children
    }

    /// Nodes children-first (post-order), the order in which Flower preregisters, pushes and pulls.
    public var postOrder: [ObjectTree] {
        var out: [ObjectTree] = []
        func walk(_ t: ObjectTree) {
            for c in t.children { walk(c) }
            out.append(t)
        }
        walk(self)
        return out
    }
}
