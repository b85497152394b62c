import FlowerProto
import LinkState
import NodeCrypto
import ObjectStore

/// Builds the error replies the SuperLink answers on a node's behalf (protocol §2.5): their
/// Message objects are deflated exactly like Flower's, so the ServerApp pulls and checks them like
/// any other reply.
enum SyntheticReplies {
    static let messageUnavailableReason =
        "Error: Message Unavailable - The requested message could not be found in the database. It may have expired due to its TTL, been deleted because the destination SuperNode was removed from the federation, or never existed."
    static let nodeUnavailableReason =
        "Error: Node Unavailable — The destination node failed to report a heartbeat within 2 × its expected interval."
    static let replyExpiredReason = "Error: Reply Message Unavailable - The reply message has expired."

    /// A synthetic error reply plus its one object (a childless Message).
    struct Reply {
        var message: FlwrMessage
        var objectID: String
        var objectBytes: [UInt8]
    }

    static func messageUnavailable(instructionID: String, now: Double) -> Reply {
        var md = FlwrMetadata()
        md.runID = 0
        md.srcNodeID = superLinkNodeID
        md.dstNodeID = superLinkNodeID
        md.replyToMessageID = instructionID
        md.groupID = ""
        md.messageType = "system"
        md.ttl = 0
        md.createdAt = now
        return make(md, code: 3, reason: messageUnavailableReason)
    }

    static func nodeUnavailable(instruction ins: MessageRow, now: Double) -> Reply {
        make(fromInstruction: ins, now: now, code: 5, reason: nodeUnavailableReason)
    }

    static func replyExpired(instruction ins: MessageRow, now: Double) -> Reply {
        make(fromInstruction: ins, now: now, code: 4, reason: replyExpiredReason)
    }

    private static func make(fromInstruction ins: MessageRow, now: Double, code: Int64, reason: String) -> Reply {
        var md = FlwrMetadata()
        md.runID = ins.runID
        md.srcNodeID = superLinkNodeID
        md.dstNodeID = superLinkNodeID
        md.replyToMessageID = ins.messageID
        md.groupID = ins.groupID
        md.messageType = ins.messageType
        md.ttl = max(0, ins.ttl - (now - ins.createdAt))
        md.createdAt = now
        return make(md, code: code, reason: reason)
    }

    private static func make(_ metadata: FlwrMetadata, code: Int64, reason: String) -> Reply {
        var error = FlwrError()
        error.code = code
        error.reason = reason
        var body = FlwrMessage()
        var md = metadata
        md.messageID = ""
        body.metadata = md
        body.error = error
        let bytes = InflatableObject.deflate(type: "Message", children: [], body: body.serializedBytes())
        let id = Digest.sha256Hex(bytes)
        var message = body
        message.metadata?.messageID = id
        return Reply(message: message, objectID: id, objectBytes: bytes)
    }
}

/// Flower's object byte layout: `<Type> <child,ids> <body length>\0<body>` (protocol §3.1).
enum InflatableObject {
    static func deflate(type: String, children: [String], body: [UInt8]) -> [UInt8] {
        var out = Array("\(type) \(children.joined(separator: ",")) \(body.count)".utf8)
        out.append(0)
        out.append(contentsOf: body)
        return out
    }
}
