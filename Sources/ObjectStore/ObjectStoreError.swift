/// The one error type of the ObjectStore layer.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An object ID that is not 64 lowercase hex characters.
    case invalidObjectID(String)
    /// The underlying database failed (message from SQLite).
    case storage(String)

    public var description: String {
        switch self {
        case .invalidObjectID(let id): return "Invalid object ID: \(id)"
        case .storage(let m): return "Object store failure: \(m)"
        }
    }
}
