/// Errors raised while setting up or running the transport itself (not call statuses; those
/// are `RPCStatus`).
public enum RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another socket already listens on this address (SO_REUSEPORT is disabled on purpose).
    case addressInUse(String)
    /// The address is not `host:port`, the port is out of range, or the host does not resolve.
    case invalidAddress(String)
    /// The TLS material was rejected (e.g. PEM bytes that are not valid text).
    case tls(String)
    /// The C core refused to listen for a reason we could not classify.
    case bindFailed(String)
    /// `bind`/`start` was called in a state that does not allow it (e.g. after `start`).
    case invalidState(String)

    public var description: String {
        switch self {
        case .addressInUse(let address): "Address already in use: \(address)"
        case .invalidAddress(let address): "Invalid address: \(address)"
        case .tls(let reason): "TLS configuration error: \(reason)"
        case .bindFailed(let address): "Failed to listen on \(address)"
        case .invalidState(let reason): "Invalid server state: \(reason)"
        }
    }
}
