import FlowerProto
import NodeCrypto

/// One deflated Flower object: `<Type> <child,ids> <body length>\0<body>`, ID = sha256 hex.
struct FlowerObject: Sendable, Equatable {
    let id: String
    let bytes: [UInt8]

    init(type: String, children: [String], body: [UInt8]) {
        var bytes = Array("\(type) \(children.joined(separator: ",")) \(body.count)".utf8)
        bytes.append(0)
        bytes.append(contentsOf: body)
        self.bytes = bytes
        self.id = Digest.sha256Hex(bytes)
    }
}

/// An object with the objects below it, mirroring the head's child lists (protocol §3.3).
struct ObjectNode: Sendable {
    let object: FlowerObject
    let children: [ObjectNode]

    /// Children first, as Flower walks trees; each ID once.
    var postOrder: [FlowerObject] {
        var seen = Set<String>()
        var out: [FlowerObject] = []
        func walk(_ n: ObjectNode) {
            for c in n.children { walk(c) }
            if seen.insert(n.object.id).inserted { out.append(n.object) }
        }
        walk(self)
        return out
    }

    var wire: FlwrObjectTree {
        var t = FlwrObjectTree()
        t.objectID = object.id
        t.children = children.map(\.wire)
        return t
    }
}

/// A message as a Flower sender pushes it: the metadata-only wire message (content present but
/// empty, `message_id` = root object ID), its object tree, and every object's bytes.
struct OutgoingMessage: Sendable {
    var message: FlwrMessage
    var root: ObjectNode

    var id: String { root.object.id }
    var tree: FlwrObjectTree { root.wire }
    var objects: [FlowerObject] { root.postOrder }
}

/// Real Flower 1.28 objects, built from the pieces of `/work/shared/inflatable-test-vectors.json`
/// (tests check the resulting IDs against the vectors).
enum FlowerObjects {
    static func json(_ pairs: [(String, String)]) -> [UInt8] {
        Array(("{" + pairs.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ") + "}").utf8)
    }

    /// `Array(dtype="uint8", shape=(4,), stype="raw", data=01 02 03 04)` and its one chunk.
    static let array: ObjectNode = {
        let chunk = FlowerObject(type: "ArrayChunk", children: [], body: [1, 2, 3, 4])
        let body = Array(#"{"dtype": "uint8", "shape": [4], "stype": "raw", "arraychunk_ids": [0]}"#.utf8)
        return ObjectNode(
            object: FlowerObject(type: "Array", children: [chunk.id], body: body),
            children: [ObjectNode(object: chunk, children: [])])
    }()

    /// `ArrayRecord({"w": a, "w2": a})`: two names, one child.
    static let arrayRecord = ObjectNode(
        object: FlowerObject(
            type: "ArrayRecord", children: [array.object.id],
            body: json([("w", array.object.id), ("w2", array.object.id)])),
        children: [array])

    /// `ConfigRecord(a=1, b="x", f=0.5, t=True, bb=b"\x00\xff", l=["p", "q"])`.
    static let configRecord = ObjectNode(
        object: FlowerObject(
            type: "ConfigRecord", children: [],
            body: hex("0a070a0161120210020a080a016212032a01780a0e0a0166120909000000000000e03f0a070a0174120220010a0a"
                + "0a0262621204320200ff0a0e0a016c1209ca01060a01700a0171")),
        children: [])

    /// `MetricRecord(acc=0.5, n=10, l=[1, 2], big=2**63+5)`.
    static let metricRecord = ObjectNode(
        object: FlowerObject(
            type: "MetricRecord", children: [],
            body: hex("0a100a03616363120909000000000000e03f0a070a016e120210140a0c0a016c1207b201040a0202040a120a0362"
                + "6967120b1885808080808080808001")),
        children: [])

    static func recordDict(_ records: [(String, ObjectNode)]) -> ObjectNode {
        ObjectNode(
            object: FlowerObject(
                type: "RecordDict", children: records.map(\.1.object.id),
                body: json(records.map { ($0.0, $0.1.object.id) })),
            children: records.map(\.1))
    }

    /// The vectors' RecordDict: arrays, config and metrics (7 objects with the Message).
    static let trainContent = recordDict([("arrays", arrayRecord), ("config", configRecord), ("metrics", metricRecord)])
    /// A reply's content: metrics only.
    static let replyContent = recordDict([("metrics", metricRecord)])

    /// Deflates a Message (body: metadata with `message_id` "", content unset, error if any) and
    /// returns the wire message a sender pushes.
    static func message(_ metadata: FlwrMetadata, content: ObjectNode?, error: FlwrError? = nil) -> OutgoingMessage {
        var md = metadata
        md.messageID = ""
        var body = FlwrMessage()
        body.metadata = md
        body.error = error
        let object = FlowerObject(
            type: "Message", children: content.map { [$0.object.id] } ?? [], body: body.serializedBytes())
        md.messageID = object.id
        var wire = FlwrMessage()
        wire.metadata = md
        wire.error = error
        if content != nil { wire.content = FlwrRecordDict() }
        return OutgoingMessage(
            message: wire, root: ObjectNode(object: object, children: content.map { [$0] } ?? []))
    }

    /// A ServerApp instruction (src 1) to `dst`.
    static func instruction(
        runID: UInt64, dst: UInt64, createdAt: Double, ttl: Double = 600, type: String = "train",
        content: ObjectNode = trainContent
    ) -> OutgoingMessage {
        var md = FlwrMetadata()
        md.runID = runID
        md.srcNodeID = 1
        md.dstNodeID = dst
        md.groupID = "1"
        md.ttl = ttl
        md.messageType = type
        md.createdAt = createdAt
        return message(md, content: content)
    }

    /// A node's reply to `instruction`, with the instruction's remaining lifetime as TTL.
    static func reply(
        to instruction: FlwrMessage, from src: UInt64, createdAt: Double, content: ObjectNode? = replyContent,
        error: FlwrError? = nil
    ) -> OutgoingMessage {
        let ins = instruction.metadata ?? FlwrMetadata()
        var md = FlwrMetadata()
        md.runID = ins.runID
        md.srcNodeID = src
        md.dstNodeID = 1
        md.replyToMessageID = ins.messageID
        md.groupID = ins.groupID
        md.ttl = ins.createdAt + ins.ttl - createdAt
        md.messageType = ins.messageType
        md.createdAt = createdAt
        return message(md, content: error == nil ? content : nil, error: error)
    }
}

func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.utf8.makeIterator()
    while let hi = it.next(), let lo = it.next() {
        out.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)!)
    }
    return out
}
