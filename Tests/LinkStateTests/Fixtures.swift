import LinkState
import ObjectStore
import TestSupport
import XCTest

/// Objects and messages for the LinkState tests.
struct Payload: Sendable {
    var objects: [String: [UInt8]] = [:]
    var tree: ObjectTree
    var messageID: String { tree.objectID }
    var recordDictID: String { tree.children[0].objectID }
    var postOrder: [String] { tree.postOrder.map(\.objectID) }

    static func object(_ type: String, children: [String] = [], body: String) -> [UInt8] {
        Array("\(type) \(children.joined(separator: ",")) \(body.utf8.count)".utf8) + [0] + Array(body.utf8)
    }

    /// Message(marker) → RecordDict(shared) → ConfigRecord(shared).
    init(marker: String, shared: String = "weights") {
        var objects: [String: [UInt8]] = [:]
        func add(_ bytes: [UInt8]) -> String {
            let id = ObjectContent.objectID(bytes)
            objects[id] = bytes
            return id
        }
        let config = add(Self.object("ConfigRecord", body: shared))
        let dict = add(Self.object("RecordDict", children: [config], body: "{\"c\": \"\(config)\"}"))
        let message = add(Self.object("Message", children: [dict], body: marker))
        self.objects = objects
        tree = ObjectTree(objectID: message, children: [ObjectTree(objectID: dict, children: [ObjectTree(objectID: config)])])
    }
}

enum Make {
    static let owner = "<id:none>"

    static func key(_ i: Int = 0) -> [UInt8] {
        Array("-----BEGIN PUBLIC KEY-----\nkey-\(i)-\(UInt64.random(in: 0...UInt64.max))\n-----END PUBLIC KEY-----\n".utf8)
    }

    static func newRun(aid: String = "alice") -> NewRun {
        NewRun(fabID: "flwr/app", fabVersion: "1.0.0", fabHash: String(repeating: "f", count: 64),
               overrideConfigJSON: "{\"lr\": 0.1}", federation: "@none/default", flwrAid: aid)
    }

    /// A registered and activated node.
    static func onlineNode(_ state: any LinkState, interval: Double = 30) async throws -> UInt64 {
        let key = key()
        let id = try await state.createNode(publicKey: key, ownerAid: owner, ownerName: "none", heartbeatInterval: 0)
        let outcome = try await state.activateNode(publicKey: key, heartbeatInterval: interval)
        XCTAssertEqual(outcome, .activated(nodeID: id))
        return id
    }

    static func pendingRun(_ state: any LinkState, aid: String = "alice") async throws -> UInt64 {
        try await state.createRun(newRun(aid: aid)) { Array("context-\($0)".utf8) }
    }

    /// A running run and its token.
    static func runningRun(_ state: any LinkState, aid: String = "alice") async throws -> (UInt64, String) {
        let runID = try await pendingRun(state, aid: aid)
        let token = try await XCTUnwrapAsync(await state.requestToken(runID: runID))
        guard case .started = try await state.startApp(token: token) else {
            XCTFail("startApp failed")
            return (runID, token)
        }
        return (runID, token)
    }

    static func instruction(run: UInt64, dst: UInt64, now: Double, ttl: Double = 600, marker: String? = nil,
                            payload: Payload? = nil) -> (MessageWithTree, Payload) {
        let p = payload ?? Payload(marker: marker ?? "ins-\(run)-\(dst)-\(UInt64.random(in: 0...UInt64.max))")
        let row = MessageRow(
            messageID: p.messageID, groupID: "1", runID: run, srcNodeID: 1, dstNodeID: dst, createdAt: now,
            ttl: ttl, messageType: "train", content: [])
        return (MessageWithTree(message: row, tree: p.tree), p)
    }

    static func reply(to ins: MessageRow, now: Double, ttl: Double? = nil, src: UInt64? = nil) -> (MessageWithTree, Payload) {
        let p = Payload(marker: "reply-\(ins.messageID)-\(UInt64.random(in: 0...UInt64.max))", shared: "update")
        let row = MessageRow(
            messageID: p.messageID, groupID: ins.groupID, runID: ins.runID, srcNodeID: src ?? ins.dstNodeID,
            dstNodeID: 1, replyToMessageID: ins.messageID, createdAt: now,
            ttl: ttl ?? (ins.expiresAt - now), messageType: ins.messageType, content: [])
        return (MessageWithTree(message: row, tree: p.tree), p)
    }

    /// Pushes every object the state asks for.
    static func push(_ state: any LinkState, run: UInt64, _ p: Payload, ids: [String]) async throws {
        for id in ids {
            let outcome = try await state.pushObject(runID: run, objectID: id, content: p.objects[id]!)
            // A concurrent sender of a shared subtree may have pushed it first.
            XCTAssertTrue(outcome == .done(.stored) || outcome == .done(.alreadyAvailable), "\(outcome)")
        }
    }

    /// Stores one instruction and pushes its objects; returns its row.
    @discardableResult
    static func storedInstruction(_ state: any LinkState, run: UInt64, dst: UInt64, now: Double, ttl: Double = 600,
                                  payload: Payload? = nil) async throws -> MessageRow {
        let (m, p) = instruction(run: run, dst: dst, now: now, ttl: ttl, payload: payload)
        guard case .stored(let ids, let toPush) = try await state.storeInstructions(runID: run, [m]) else {
            XCTFail("storeInstructions refused")
            return m.message
        }
        XCTAssertEqual(ids, [m.message.messageID])
        try await push(state, run: run, p, ids: toPush)
        return m.message
    }
}
