import LinkState
import FAB
import RPC

/// Every way a SuperLink RPC can fail, named by what went wrong. `status` is the one place that
/// turns a failure into the gRPC code and detail string Flower's clients expect (their CLI
/// matches several of these texts verbatim).
public enum SuperLinkError: Error, Sendable, Equatable {
    // MARK: Node auth (Fleet interceptor)
    case missingAuthMetadata
    case invalidSignature
    case invalidTimestamp
    case invalidNodeID

    // MARK: Fleet
    case supernodeAuthEnabledRegister
    case supernodeAuthEnabledUnregister
    case publicKeyInUse
    case noNodeForPublicKey
    case nodeNotActivatable(UInt64)
    case nodeNotOnline(UInt64)
    case nodeNotUnregisterable(UInt64)
    case invalidHeartbeatInterval
    case runIDNotFoundForNode(UInt64)
    case fabNotFound(String)
    case malformedRequest(String)
    /// GrpcAdapter: a `grpc_message_name` that names no Fleet request (Flower raises ValueError).
    case invalidGrpcMessageName(String)

    // MARK: Run gates (Fleet and ServerAppIo)
    /// The run exists but is not `running`: "Run is pending." / "Run is starting." /
    /// "Run is finished." (+ " Stopped by user.").
    case runNotRunning(phase: String, stoppedByUser: Bool)
    /// ServerAppIo on an unknown run (Flower surfaces a KeyError as UNKNOWN).
    case unknownRun(UInt64)

    // MARK: ServerAppIo
    case invalidToken
    case failedToStartRun(UInt64)
    case unexpectedNodeID
    case runNotFoundForLogs(UInt64)
    /// Bytes that are not a valid object (hash matched): Flower's `UnexpectedObjectContentError`.
    case invalidObjectContent(objectID: String, reason: String)
    case malformedPushMessages(String)
    case malformedPullMessages(String)

    // MARK: Control
    case runIDNotFound
    case runNotOwned
    case runAlreadyFinishedStop(UInt64)
    case federationNotFound
    case federationNotSpecified
    /// StartRun's FAB checks (including unknown override keys), with the code Flower uses.
    case invalidFAB(FABError)
    case hubAppUnsupported
    case invalidPublicKey
    case nodeIDNotFoundForAccount
    case noFederationManagement
    /// `Federation '<name>' does not exist` (FAILED_PRECONDITION), Flower's pattern.
    case federationDoesNotExist(String)
    case nodeNotFoundOrNotOwned(UInt64)
    case noArtifactProvider
    case unfinishedRunArtifacts
    case noAuthPlugin
    case notImplemented(String)
    /// Where Flower's handler raises an exception it does not catch: grpcio answers UNKNOWN with
    /// "Exception calling application: <message>", and the CLI prints that text.
    case uncaughtInFlower(String)

    // MARK: Internal
    case storage(String)

    /// The gRPC status Flower sends for this failure.
    public var status: RPCStatus {
        switch self {
        case .missingAuthMetadata: return RPCStatus(.unauthenticated, "Missing authentication metadata")
        case .invalidSignature: return RPCStatus(.unauthenticated, "Invalid signature")
        case .invalidTimestamp: return RPCStatus(.unauthenticated, "Invalid timestamp")
        case .invalidNodeID: return RPCStatus(.unauthenticated, "Invalid node ID")

        case .supernodeAuthEnabledRegister:
            return RPCStatus(.failedPrecondition,
                "SuperNode authentication is enabled. All SuperNodes must be registered via the CLI.")
        case .supernodeAuthEnabledUnregister:
            return RPCStatus(.failedPrecondition,
                "SuperNode authentication is enabled. All SuperNodes must be unregistered via the CLI.")
        case .publicKeyInUse: return RPCStatus(.failedPrecondition, "Public key already in use")
        case .noNodeForPublicKey:
            return RPCStatus(.failedPrecondition, "No SuperNode found with the given public key.")
        case .nodeNotActivatable(let id):
            return RPCStatus(.failedPrecondition, "SuperNode with node ID \(id) could not be activated.")
        case .nodeNotOnline(let id):
            return RPCStatus(.failedPrecondition, "SuperNode with node ID \(id) could not be deactivated.")
        case .nodeNotUnregisterable(let id):
            return RPCStatus(.failedPrecondition, "Node \(id) already deleted, not found or unauthorized deletion attempt.")
        case .invalidHeartbeatInterval: return RPCStatus(.invalidArgument, "Invalid heartbeat interval")
        case .runIDNotFoundForNode(let id): return RPCStatus(.permissionDenied, "Run ID not found: \(id)")
        case .fabNotFound(let hash): return RPCStatus(.permissionDenied, "Found no FAB with hash: \(hash)")
        case .malformedRequest(let why): return RPCStatus(.invalidArgument, "Malformed request: \(why)")
        case .invalidGrpcMessageName(let name):
            return SuperLinkError.uncaughtInFlower("Invalid grpc_message_name: \(name)").status

        case .runNotRunning(let phase, let stopped):
            return RPCStatus(.permissionDenied, "Run is \(phase)." + (stopped ? " Stopped by user." : ""))
        case .unknownRun(let id): return RPCStatus(.notFound, "Run ID not found: \(id)")

        case .invalidToken: return RPCStatus(.permissionDenied, "Invalid token.")
        case .failedToStartRun(let id): return RPCStatus(.failedPrecondition, "Failed to start run \(id)")
        case .unexpectedNodeID: return RPCStatus(.failedPrecondition, "Unexpected node ID.")
        case .runNotFoundForLogs(let id): return SuperLinkError.uncaughtInFlower("Run \(id) not found").status
        case .invalidObjectContent(let id, let why):
            return RPCStatus(.failedPrecondition, "Object with ID '\(id)' has an unexpected structure. \(why)")
        case .malformedPushMessages(let why): return RPCStatus(.invalidArgument, "Malformed PushMessages: \(why)")
        case .malformedPullMessages(let why): return RPCStatus(.invalidArgument, "Malformed PullMessages: \(why)")

        case .runIDNotFound: return RPCStatus(.notFound, "Run ID not found")
        case .runNotOwned: return RPCStatus(.permissionDenied, "⛔️ Run ID does not belong to the account")
        case .runAlreadyFinishedStop(let id): return RPCStatus(.failedPrecondition, "Run ID \(id) is already finished")
        case .federationNotFound:
            return RPCStatus(.notFound, "Federation not found, archived, or you cannot perform this action.")
        case .federationNotSpecified:
            return RPCStatus(.failedPrecondition, "No federation specified. You must specify a federation to perform this action.")
        case .invalidFAB(let error):
            // FAILED_PRECONDITION for Flower's own checks, UNKNOWN (with grpcio's prefix already
            // in the text) where Flower's parser raises, as observed.
            let code = error.grpcStatusCode.map { StatusCode(rawValue: Int32($0)) } ?? .invalidArgument
            return RPCStatus(code, error.description)
        case .hubAppUnsupported:
            return RPCStatus(.failedPrecondition, "Fetching apps from the Flower Hub is not supported by this SuperLink.")
        case .invalidPublicKey: return RPCStatus(.failedPrecondition, "The provided public key is not valid")
        case .nodeIDNotFoundForAccount: return RPCStatus(.notFound, "Node ID not found for account")
        case .noFederationManagement:
            return RPCStatus(.unimplemented, "SuperLink does not support federation management.")
        case .federationDoesNotExist(let name): return RPCStatus(.failedPrecondition, "Federation '\(name)' does not exist")
        case .nodeNotFoundOrNotOwned(let id):
            return RPCStatus(.failedPrecondition, "Node \(id) not found or you are not its owner.")
        case .noArtifactProvider:
            return RPCStatus(.unimplemented, "ControlServicer initialized without artifact provider")
        case .unfinishedRunArtifacts:
            return RPCStatus(.failedPrecondition, "Cannot pull artifacts for an unfinished run")
        case .noAuthPlugin:
            return RPCStatus(.unimplemented, "ControlServicer initialized without account authentication")
        case .notImplemented(let what): return RPCStatus(.unimplemented, "\(what) is not implemented")
        case .uncaughtInFlower(let message): return RPCStatus(.unknown, "Exception calling application: \(message)")

        case .storage(let why): return RPCStatus(.internalError, "Internal server error: \(why)")
        }
    }
}

extension SuperLinkError {
    /// Flower's "Run is …" refusal for a run that exists but is not `running`.
    static func notRunning(_ run: RunRecord) -> SuperLinkError {
        .runNotRunning(phase: run.phase.rawValue, stoppedByUser: run.subStatus == "stopped")
    }
}

extension SuperLinkError {
    /// What Flower's REST Fleet API answers when a handler fails: Starlette turns every escaping
    /// exception (each Fleet error, a body that does not parse) into a plain 500, and the REST
    /// client only tells 200 from anything else.
    public var restResponse: (status: Int, body: String) { (500, "Internal Server Error") }
}
