/// Errors raised while setting up the HTTP server (not request failures; those are answered with
/// an HTTP status on the connection).
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another socket already listens on this address (`SO_REUSEPORT` is never set).
    case addressInUse(String)
    /// The address is not `host:port`, the port is out of range, or the host does not resolve.
    case invalidAddress(String)
    /// The TLS certificate or key was rejected.
    case tls(String)
    /// `socket`/`bind`/`listen` failed for another reason (errno text).
    case bindFailed(String)
    /// `bind`/`start` was called in a state that does not allow it (e.g. after `start`).
    case invalidState(String)

    public var description: String {
        switch self {
        case .addressInUse(let address): "Address already in use: \(address)"
        case .invalidAddress(let address): "Invalid address: \(address)"
        case .tls(let reason): "TLS configuration error: \(reason)"
        case .bindFailed(let reason): "Failed to listen: \(reason)"
        case .invalidState(let reason): "Invalid server state: \(reason)"
        }
    }
}
