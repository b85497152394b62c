/// The one error type of the LinkState layer: things that are not ordinary outcomes.
public enum LinkStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `createNode` with a public key that another node already has ("Public key already in use").
    case publicKeyInUse
    /// An object ID that is not 64 lowercase hex characters.
    case invalidObjectID(String)
    /// The database failed.
    case storage(String)

    public var description: String {
        switch self {
        case .publicKeyInUse: return "Public key already in use"
        case .invalidObjectID(let id): return "Invalid object ID: \(id)"
        case .storage(let m): return "State storage failure: \(m)"
        }
    }
}
