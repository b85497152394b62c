import FlowerProto
import ProtoWire

/// One Fleet RPC as the tunnelling transports name it, bound to its shared handler.
///
/// GrpcAdapter dispatches on `requestName` and answers with `responseName` and
/// `responseModule` in the reply metadata; REST serves `POST /api/v0/fleet/<restName>`. Both run
/// the handler with `FleetCaller.unauthenticated`.
struct FleetEndpoint: Sendable {
    /// The request type's short proto name, e.g. `PullMessagesRequest`.
    let requestName: String
    /// The REST path segment, e.g. `pull-messages`.
    let restName: String
    /// The response type's short proto name, e.g. `PullMessagesResponse`.
    let responseName: String
    /// The Python module Flower's generated response class lives in (`grpc-message-module`).
    let responseModule: String
    /// Decodes the request bytes, runs the handler unauthenticated, encodes the response.
    let serve: @Sendable (FleetServicer, [UInt8]) async throws(SuperLinkError) -> [UInt8]

    private init<Req: ProtoMessage, Resp: ProtoMessage>(
        _ requestName: String, rest: String, _ responseName: String, module: String,
        _ handler: @escaping @Sendable (FleetServicer, Req) async throws(SuperLinkError) -> Resp
    ) {
        self.requestName = requestName
        self.restName = rest
        self.responseName = responseName
        self.responseModule = "flwr.proto.\(module)_pb2"
        self.serve = { servicer, bytes throws(SuperLinkError) in
            let request: Req
            do {
                request = try Req(serializedBytes: bytes)
            } catch {
                throw .malformedRequest("\(error)")
            }
            return try await handler(servicer, request).serializedBytes()
        }
    }

    /// The 12 Fleet RPCs (protocol §4.1, §4.7, §7.5).
    static let all: [FleetEndpoint] = [
        FleetEndpoint("RegisterNodeFleetRequest", rest: "register-node", "RegisterNodeFleetResponse", module: "fleet") {
            (s, r: FlwrRegisterNodeFleetRequest) throws(SuperLinkError) in try await s.registerNode(r, .unauthenticated)
        },
        FleetEndpoint("ActivateNodeRequest", rest: "activate-node", "ActivateNodeResponse", module: "fleet") {
            (s, r: FlwrActivateNodeRequest) throws(SuperLinkError) in try await s.activateNode(r, .unauthenticated)
        },
        FleetEndpoint("DeactivateNodeRequest", rest: "deactivate-node", "DeactivateNodeResponse", module: "fleet") {
            (s, r: FlwrDeactivateNodeRequest) throws(SuperLinkError) in try await s.deactivateNode(r, .unauthenticated)
        },
        FleetEndpoint("UnregisterNodeFleetRequest", rest: "unregister-node", "UnregisterNodeFleetResponse", module: "fleet") {
            (s, r: FlwrUnregisterNodeFleetRequest) throws(SuperLinkError) in try await s.unregisterNode(r, .unauthenticated)
        },
        FleetEndpoint("SendNodeHeartbeatRequest", rest: "send-node-heartbeat", "SendNodeHeartbeatResponse", module: "heartbeat") {
            (s, r: FlwrSendNodeHeartbeatRequest) throws(SuperLinkError) in try await s.sendNodeHeartbeat(r, .unauthenticated)
        },
        FleetEndpoint("PullMessagesRequest", rest: "pull-messages", "PullMessagesResponse", module: "fleet") {
            (s, r: FlwrPullMessagesRequest) throws(SuperLinkError) in try await s.pullMessages(r, .unauthenticated)
        },
        FleetEndpoint("PushMessagesRequest", rest: "push-messages", "PushMessagesResponse", module: "fleet") {
            (s, r: FlwrPushMessagesRequest) throws(SuperLinkError) in try await s.pushMessages(r, .unauthenticated)
        },
        FleetEndpoint("GetRunRequest", rest: "get-run", "GetRunResponse", module: "run") {
            (s, r: FlwrGetRunRequest) throws(SuperLinkError) in try await s.getRun(r, .unauthenticated)
        },
        FleetEndpoint("GetFabRequest", rest: "get-fab", "GetFabResponse", module: "fab") {
            (s, r: FlwrGetFabRequest) throws(SuperLinkError) in try await s.getFab(r, .unauthenticated)
        },
        FleetEndpoint("PushObjectRequest", rest: "push-object", "PushObjectResponse", module: "message") {
            (s, r: FlwrPushObjectRequest) throws(SuperLinkError) in try await s.pushObject(r, .unauthenticated)
        },
        FleetEndpoint("PullObjectRequest", rest: "pull-object", "PullObjectResponse", module: "message") {
            (s, r: FlwrPullObjectRequest) throws(SuperLinkError) in try await s.pullObject(r, .unauthenticated)
        },
        FleetEndpoint(
            "ConfirmMessageReceivedRequest", rest: "confirm-message-received", "ConfirmMessageReceivedResponse",
            module: "message"
        ) { (s, r: FlwrConfirmMessageReceivedRequest) throws(SuperLinkError) in
            try await s.confirmMessageReceived(r, .unauthenticated)
        },
    ]

    /// By `requestName` (GrpcAdapter dispatch).
    static let byRequestName: [String: FleetEndpoint] = Dictionary(uniqueKeysWithValues: all.map { ($0.requestName, $0) })
    /// By `restName` (REST routing).
    static let byRESTName: [String: FleetEndpoint] = Dictionary(uniqueKeysWithValues: all.map { ($0.restName, $0) })
}
