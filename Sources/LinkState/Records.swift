import ObjectStore

/// A run's lifecycle phase, derived from its timestamps (protocol §2.3).
public enum RunPhase: String, Sendable, Equatable {
    case pending, starting, running, finished
}

/// One row of Flower's `run` table, IDs as unsigned values.
public struct RunRecord: Sendable, Equatable {
    public var runID: UInt64
    public var fabID: String
    public var fabVersion: String
    public var fabHash: String
    /// JSON object of the flattened override `UserConfig` (as Flower stores it).
    public var overrideConfigJSON: String
    /// ISO-8601 (`...+00:00`) times; `""` when not reached.
    public var pendingAt: String
    public var startingAt: String
    public var runningAt: String
    public var finishedAt: String
    /// `""` until finished, then `completed`, `failed` or `stopped`.
    public var subStatus: String
    public var details: String
    public var federation: String
    public var flwrAid: String
    public var bytesSent: UInt64
    public var bytesRecv: UInt64
    public var clientappRuntime: Double
    /// `serverapp` or `simulation`.
    public var runType: String
    /// JSON of the resolved simulation config; nil for deployment runs.
    public var federationConfigJSON: String?

    public init(
        runID: UInt64, fabID: String = "", fabVersion: String = "", fabHash: String = "",
        overrideConfigJSON: String = "{}", pendingAt: String = "", startingAt: String = "",
        runningAt: String = "", finishedAt: String = "", subStatus: String = "", details: String = "",
        federation: String = "", flwrAid: String = "", bytesSent: UInt64 = 0, bytesRecv: UInt64 = 0,
        clientappRuntime: Double = 0, runType: String = "serverapp", federationConfigJSON: String? = nil
    ) {
        self.runID = runID; self.fabID = fabID; self.fabVersion = fabVersion; self.fabHash = fabHash
        self.overrideConfigJSON = overrideConfigJSON; self.pendingAt = pendingAt
        self.startingAt = startingAt; self.runningAt = runningAt; self.finishedAt = finishedAt
        self.subStatus = subStatus; self.details = details; self.federation = federation
        self.flwrAid = flwrAid; self.bytesSent = bytesSent; self.bytesRecv = bytesRecv
        self.clientappRuntime = clientappRuntime; self.runType = runType
        self.federationConfigJSON = federationConfigJSON
    }

    /// Flower's `determine_run_status`.
    public var phase: RunPhase {
        if !finishedAt.isEmpty { return .finished }
        if !runningAt.isEmpty { return .running }
        if !startingAt.isEmpty { return .starting }
        return .pending
    }
}

/// What `StartRun` hands to `LinkState.createRun`.
public struct NewRun: Sendable, Equatable {
    public var fabID: String
    public var fabVersion: String
    public var fabHash: String
    public var overrideConfigJSON: String
    public var federation: String
    public var flwrAid: String
    public var runType: String
    public var federationConfigJSON: String?

    public init(
        fabID: String, fabVersion: String, fabHash: String, overrideConfigJSON: String,
        federation: String, flwrAid: String, runType: String = "serverapp",
        federationConfigJSON: String? = nil
    ) {
        self.fabID = fabID; self.fabVersion = fabVersion; self.fabHash = fabHash
        self.overrideConfigJSON = overrideConfigJSON; self.federation = federation
        self.flwrAid = flwrAid; self.runType = runType; self.federationConfigJSON = federationConfigJSON
    }
}

/// A node's lifecycle status (protocol §2.4).
public enum NodeStatus: String, Sendable, Equatable {
    case registered, online, offline, unregistered
}

/// One row of Flower's `node` table.
public struct NodeRecord: Sendable, Equatable {
    public var nodeID: UInt64
    public var ownerAid: String
    public var ownerName: String
    public var status: NodeStatus
    public var registeredAt: String
    public var lastActivatedAt: String?
    public var lastDeactivatedAt: String?
    public var unregisteredAt: String?
    /// Unix seconds; nil until first activated.
    public var onlineUntil: Double?
    public var heartbeatInterval: Double
    /// PEM SubjectPublicKeyInfo bytes exactly as registered.
    public var publicKey: [UInt8]

    public init(
        nodeID: UInt64, ownerAid: String, ownerName: String, status: NodeStatus, registeredAt: String,
        lastActivatedAt: String? = nil, lastDeactivatedAt: String? = nil, unregisteredAt: String? = nil,
        onlineUntil: Double? = nil, heartbeatInterval: Double, publicKey: [UInt8]
    ) {
        self.nodeID = nodeID; self.ownerAid = ownerAid; self.ownerName = ownerName
        self.status = status; self.registeredAt = registeredAt; self.lastActivatedAt = lastActivatedAt
        self.lastDeactivatedAt = lastDeactivatedAt; self.unregisteredAt = unregisteredAt
        self.onlineUntil = onlineUntil; self.heartbeatInterval = heartbeatInterval
        self.publicKey = publicKey
    }
}

/// One row of `message_ins` / `message_res`: a message's metadata plus its (content-less) body.
public struct MessageRow: Sendable, Equatable {
    public var messageID: String
    public var groupID: String
    public var runID: UInt64
    public var srcNodeID: UInt64
    public var dstNodeID: UInt64
    public var replyToMessageID: String
    public var createdAt: Double
    /// `""` until delivered, then an ISO time.
    public var deliveredAt: String
    public var ttl: Double
    public var messageType: String
    /// Serialised `RecordDict` (normally empty: payloads live in the ObjectStore); nil = no content.
    public var content: [UInt8]?
    /// Serialised `Error`; nil = no error.
    public var error: [UInt8]?

    public init(
        messageID: String, groupID: String = "", runID: UInt64, srcNodeID: UInt64, dstNodeID: UInt64,
        replyToMessageID: String = "", createdAt: Double, deliveredAt: String = "", ttl: Double,
        messageType: String, content: [UInt8]? = nil, error: [UInt8]? = nil
    ) {
        self.messageID = messageID; self.groupID = groupID; self.runID = runID
        self.srcNodeID = srcNodeID; self.dstNodeID = dstNodeID; self.replyToMessageID = replyToMessageID
        self.createdAt = createdAt; self.deliveredAt = deliveredAt; self.ttl = ttl
        self.messageType = messageType; self.content = content; self.error = error
    }

    /// `created_at + ttl`.
    public var expiresAt: Double { createdAt + ttl }
}

/// A message row together with the object tree rooted at its `messageID`.
public struct MessageWithTree: Sendable, Equatable {
    public var message: MessageRow
    public var tree: ObjectTree

    public init(message: MessageRow, tree: ObjectTree) {
        self.message = message
        self.tree = tree
    }
}
