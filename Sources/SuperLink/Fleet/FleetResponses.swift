import FlowerProto
import LinkState

/// Fleet responses that are built twice: once inside the state transaction, to measure the bytes
/// the call sends (`RunTraffic.bytesSent`), and once to answer. Both must be the same message.
enum FleetResponses {
    /// `PullMessages` with the claimed instruction.
    static func pullMessages(_ claimed: MessageWithTree) -> FlwrPullMessagesResponse {
        var resp = FlwrPullMessagesResponse()
        resp.messagesList = [claimed.message.wire]
        resp.messageObjectTrees = [claimed.tree.wire]
        return resp
    }

    /// `PushMessages` for a stored reply.
    static func pushMessages(messageID: String, objectsToPush: [String]) -> FlwrPushMessagesResponse {
        var resp = FlwrPushMessagesResponse()
        var reconnect = FlwrReconnect()
        reconnect.reconnect = 5
        resp.reconnect = reconnect
        resp.results = [messageID: 0]
        resp.objectsToPush = objectsToPush
        return resp
    }
}
