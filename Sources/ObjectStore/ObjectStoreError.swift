/// The one error type of the ObjectStore layer.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An object ID that is not 64 lowercase hex characters.
    case invalidObjectID(String)
    /// Bytes that are not a valid object (Flower's `UnexpectedObjectContentError`): missing NUL,
    /// malformed head, unknown type, bad child ID or wrong body length.
    case invalidObjectContent(String)
    /// The underlying database failed (message from SQLite).
    case storage(String)

    public var description: String {
        switch self {
        case .invalidObjectID(let id): return "Invalid object ID: \(id)"
        case .invalidObjectContent(let m): return "Unexpected object content: \(m)"
        case .storage(let m): return "Object store failure: \(m)"
        }
    }
}
