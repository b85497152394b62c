import FAB
import FlowerProto
import LinkState
import ObjectStore

// Conversions between Flower's wire messages and the state layer's plain records.

extension ObjectTree {
    /// From the wire tree. Depth is already bounded by the decoder.
    init(_ wire: FlwrObjectTree) {
        self.init(objectID: wire.objectID, children: wire.children.map(ObjectTree.init))
    }

    var wire: FlwrObjectTree {
        var t = FlwrObjectTree()
        t.objectID = objectID
        t.children = children.map(\.wire)
        return t
    }
}

extension MessageRow {
    /// A stored row for a wire message (metadata + serialised content/error bodies).
    init(_ message: FlwrMessage) {
        let md = message.metadata ?? FlwrMetadata()
        self.init(
            messageID: md.messageID, groupID: md.groupID, runID: md.runID,
            srcNodeID: md.srcNodeID, dstNodeID: md.dstNodeID,
            replyToMessageID: md.replyToMessageID, createdAt: md.createdAt, deliveredAt: "",
            ttl: md.ttl, messageType: md.messageType,
            content: message.content.map { $0.serializedBytes() },
            error: message.error.map { $0.serializedBytes() })
    }

    /// The wire message for this row. Stored bodies were produced by our own encoder; a body
    /// that no longer decodes is replaced by the empty value rather than failing the pull.
    var wire: FlwrMessage {
        var md = FlwrMetadata()
        md.runID = runID
        md.messageID = messageID
        md.srcNodeID = srcNodeID
        md.dstNodeID = dstNodeID
        md.replyToMessageID = replyToMessageID
        md.groupID = groupID
        md.ttl = ttl
        md.messageType = messageType
        md.createdAt = createdAt
        var m = FlwrMessage()
        m.metadata = md
        if let content {
            m.content = (try? FlwrRecordDict(serializedBytes: content)) ?? FlwrRecordDict()
        }
        if let error {
            m.error = (try? FlwrError(serializedBytes: error)) ?? FlwrError()
        }
        return m
    }
}

extension RunRecord {
    /// The wire `Run` (status derived from timestamps, override config from its JSON).
    var wire: FlwrRun {
        var r = FlwrRun()
        r.runID = runID
        r.fabID = fabID
        r.fabVersion = fabVersion
        r.overrideConfig = UserConfigJSON.decodeScalars(overrideConfigJSON)
        r.fabHash = fabHash
        r.pendingAt = pendingAt
        r.startingAt = startingAt
        r.runningAt = runningAt
        r.finishedAt = finishedAt
        var s = FlwrRunStatus()
        s.status = phase.rawValue
        s.subStatus = subStatus
        s.details = details
        r.status = s
        r.flwrAid = flwrAid
        r.federation = federation
        r.bytesSent = bytesSent
        r.bytesRecv = bytesRecv
        r.clientappRuntime = clientappRuntime
        r.runType = runType
        return r
    }
}

extension NodeRecord {
    var wire: FlwrNodeInfo {
        var n = FlwrNodeInfo()
        n.nodeID = nodeID
        n.ownerAid = ownerAid
        n.ownerName = ownerName
        n.status = status.rawValue
        n.registeredAt = registeredAt
        n.lastActivatedAt = lastActivatedAt
        n.lastDeactivatedAt = lastDeactivatedAt
        n.unregisteredAt = unregisteredAt
        n.onlineUntil = onlineUntil
        n.heartbeatInterval = heartbeatInterval
        n.publicKey = publicKey
        return n
    }
}

extension FlwrScalar {
    init(_ value: UserConfigValue) {
        self.init()
        switch value {
        case .bool(let b): scalar = .bool(b)
        case .int(let i): scalar = .sint64(i)
        case .double(let d): scalar = .double(d)
        case .string(let s): scalar = .string(s)
        }
    }

    /// The user-config value this scalar carries; nil for bytes or an unset scalar.
    var userConfigValue: UserConfigValue? {
        switch scalar {
        case .bool(let b): return .bool(b)
        case .sint64(let i): return .int(i)
        case .uint64(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .double(Double(u))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes, .none: return nil
        }
    }
}
