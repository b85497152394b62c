import FlowerTime

extension LinkTables {
    mutating func createNode(publicKey: [UInt8], ownerAid: String, ownerName: String, heartbeatInterval: Double,
                             now: Double) throws(LinkStateError) -> UInt64 {
        guard nodeIDByKey[publicKey] == nil else { throw .publicKeyInUse }
        var id = RandomIDs.nodeOrRunID()
        while nodes[id] != nil { id = RandomIDs.nodeOrRunID() }
        let record = NodeRecord(
            nodeID: id, ownerAid: ownerAid, ownerName: ownerName, status: .registered,
            registeredAt: FlowerTimestamp.iso(now), heartbeatInterval: heartbeatInterval, publicKey: publicKey)
        nodes[id] = StoredNode(record: record, seq: nextSeq())
        nodeIDByKey[publicKey] = id
        return id
    }

    /// The offline sweep for one node: `online` past `online_until` becomes `offline` with
    /// `last_deactivated_at` = `online_until` (millisecond form, as Flower's SQL writes it).
    mutating func sweepNode(_ id: UInt64, now: Double) {
        guard let node = nodes[id]?.record, node.status == .online,
            let until = node.onlineUntil, until <= now
        else { return }
        nodes[id]!.record.status = .offline
        nodes[id]!.record.lastDeactivatedAt = FlowerTimestamp.isoMillis(until)
    }

    mutating func sweepNodes(now: Double) {
        for id in nodes.keys { sweepNode(id, now: now) }
    }

    mutating func activateNode(publicKey: [UInt8], heartbeatInterval: Double, now: Double) -> ActivateNodeOutcome {
        // Unregistered nodes keep their key but are not found by it (as Flower's lookup).
        guard let id = nodeID(forPublicKey: publicKey) else { return .unknownKey }
        sweepNode(id, now: now)
        let status = nodes[id]!.record.status
        guard status == .registered || status == .offline else { return .notActivatable(nodeID: id) }
        nodes[id]!.record.status = .online
        nodes[id]!.record.lastActivatedAt = FlowerTimestamp.iso(now)
        nodes[id]!.record.onlineUntil = now + FlowerConstants.heartbeatPatience * heartbeatInterval
        nodes[id]!.record.heartbeatInterval = heartbeatInterval
        return .activated(nodeID: id)
    }

    mutating func deactivateNode(_ id: UInt64, now: Double) -> Bool {
        sweepNode(id, now: now)
        guard nodes[id]?.record.status == .online else { return false }
        nodes[id]!.record.status = .offline
        nodes[id]!.record.lastDeactivatedAt = FlowerTimestamp.iso(now)
        nodes[id]!.record.onlineUntil = now
        return true
    }

    mutating func unregisterNode(_ id: UInt64, ownerAid: String, now: Double) -> Bool {
        guard let node = nodes[id]?.record, node.status != .unregistered, node.ownerAid == ownerAid else {
            return false
        }
        nodes[id]!.record.status = .unregistered
        nodes[id]!.record.unregisteredAt = FlowerTimestamp.iso(now)
        nodes[id]!.record.onlineUntil = node.onlineUntil.map { min($0, now) }
        return true
    }

    mutating func acknowledgeHeartbeat(_ id: UInt64, heartbeatInterval: Double, now: Double) -> Bool {
        guard let node = nodes[id]?.record, node.status != .unregistered else { return false }
        if node.status != .online {
            nodes[id]!.record.status = .online
            nodes[id]!.record.lastActivatedAt = FlowerTimestamp.iso(now)
        }
        nodes[id]!.record.onlineUntil = now + FlowerConstants.heartbeatPatience * heartbeatInterval
        nodes[id]!.record.heartbeatInterval = heartbeatInterval
        return true
    }

    func nodeID(forPublicKey key: [UInt8]) -> UInt64? {
        guard let id = nodeIDByKey[key], nodes[id]?.record.status != .unregistered else { return nil }
        return id
    }

    mutating func nodes(ownerAid: String, now: Double) -> [NodeRecord] {
        let owned = nodes.values.filter { $0.record.ownerAid == ownerAid }.sorted { $0.seq < $1.seq }
        for node in owned { sweepNode(node.record.nodeID, now: now) }
        return owned.map { nodes[$0.record.nodeID]!.record }
    }

    /// Online in the sense of `GetNodes`: status online and not yet past `online_until` (the offline
    /// sweep would retire it). All nodes belong to every federation (Flower's NoOp federation).
    func isOnline(_ node: NodeRecord, now: Double) -> Bool {
        node.status == .online && (node.onlineUntil ?? 0) > now
    }
}
