import Foundation
import XCTest
@testable import ObjectStore

/// Builders and the shared test vectors for the ObjectStore tests.
enum Fixtures {
    /// `<Type> <children> <len>\0<body>`.
    static func object(_ type: String, children: [String] = [], body: [UInt8]) -> [UInt8] {
        Array("\(type) \(children.joined(separator: ",")) \(body.count)".utf8) + [0] + body
    }

    static func object(_ type: String, children: [String] = [], body: String) -> [UInt8] {
        object(type, children: children, body: Array(body.utf8))
    }

    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8 = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    /// One object of a vector.
    struct VectorObject {
        var objectID: String
        var type: String
        var content: [UInt8]
    }

    struct Vector {
        var name: String
        var rootID: String
        var tree: ObjectTree
        var objects: [VectorObject]
    }

    /// `inflatable-test-vectors.json`, looked up beside the repository (`<repo>/../shared/`, as on CI),
    /// one level further up (worktrees under `/work/wt/`), or in `$SEPAL_SHARED_DIR`.
    static func vectors(file: StaticString = #filePath) throws -> [Vector] {
        let repo = URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [
            repo.deletingLastPathComponent().appendingPathComponent("shared"),
            repo.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared"),
        ]
        if let dir = ProcessInfo.processInfo.environment["SEPAL_SHARED_DIR"] {
            candidates.insert(URL(fileURLWithPath: dir), at: 0)
        }
        let found = candidates.map { $0.appendingPathComponent("inflatable-test-vectors.json") }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        let url = try XCTUnwrap(found, "inflatable-test-vectors.json not found near \(repo.path)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        return try json.map { v in
            let objects = try XCTUnwrap(v["objects_post_order"] as? [[String: Any]]).map { o in
                VectorObject(
                    objectID: o["object_id"] as? String ?? "", type: o["type"] as? String ?? "",
                    content: hex(o["content_hex"] as? String ?? ""))
            }
            return Vector(
                name: v["name"] as? String ?? "", rootID: v["root_object_id"] as? String ?? "",
                tree: try tree(XCTUnwrap(v["object_tree"] as? [String: Any])), objects: objects)
        }
    }

    private static func tree(_ json: [String: Any]) throws -> ObjectTree {
        let children = (json["children"] as? [[String: Any]] ?? []).map { try? tree($0) }
        return ObjectTree(objectID: json["objectId"] as? String ?? "", children: children.compactMap { $0 })
    }
}

extension ObjectTree {
    /// The first node with this ID.
    func find(_ id: String) -> ObjectTree? {
        postOrder.first { $0.objectID == id }
    }
}
