import TestSupport
import XCTest
@testable import ObjectStore

/// Behaviour every `ObjectStore` must share (protocol §3.4), run against each backend.
final class ObjectStoreConformanceTests: XCTestCase {
    /// Each backend under test, by name. SQLite backends are added in `Backends.swift`.
    static var backends: [(String, () async throws -> any ObjectStore)] {
        [("in-memory", { InMemoryObjectStore() })] + sqliteBackends
    }

    private func forEachBackend(_ body: (String, any ObjectStore) async throws -> Void) async throws {
        defer { TempFiles.removeAll() }
        for (name, make) in Self.backends {
            let store = try await make()
            try await body(name, store)
            (store as? SQLiteObjectStore)?.database.close()
        }
    }

    /// A small message: Message → RecordDict → (ConfigRecord, ArrayRecord → Array → ArrayChunk).
    struct Sample {
        var objects: [String: [UInt8]] = [:]
        var tree: ObjectTree
        var messageID: String { tree.objectID }

        init(marker: String, sharedConfig: String = "cfg") {
            var objects: [String: [UInt8]] = [:]
            func add(_ bytes: [UInt8]) -> String {
                let id = ObjectContent.objectID(bytes)
                objects[id] = bytes
                return id
            }
            let chunk = add(Fixtures.object("ArrayChunk", body: [1, 2, 3, 4]))
            let array = add(Fixtures.object("Array", children: [chunk], body: "{\"arraychunk_ids\": [0]}"))
            let arrays = add(Fixtures.object("ArrayRecord", children: [array], body: "{\"w\": \"\(array)\"}"))
            let config = add(Fixtures.object("ConfigRecord", body: sharedConfig))
            let dict = add(Fixtures.object("RecordDict", children: [arrays, config], body: "{}"))
            let message = add(Fixtures.object("Message", children: [dict], body: marker))
            self.objects = objects
            self.tree = ObjectTree(objectID: message, children: [
                ObjectTree(objectID: dict, children: [
                    ObjectTree(objectID: arrays, children: [
                        ObjectTree(objectID: array, children: [ObjectTree(objectID: chunk)]),
                    ]),
                    ObjectTree(objectID: config),
                ]),
            ])
        }

        var recordDictID: String { tree.children[0].objectID }
        var postOrder: [String] { tree.postOrder.map(\.objectID) }
    }

    func testPreregisterReturnsOnlyUnavailableIDsInPostOrder() async throws {
        try await forEachBackend { name, store in
            let s = Sample(marker: "a")
            let first = try await store.preregister(runID: 1, tree: s.tree)
            XCTAssertEqual(first, s.postOrder, name)
            // Known-but-unavailable IDs are reported again.
            try await assertEqual(await store.preregister(runID: 1, tree: s.tree), s.postOrder, name)
            // Push the leaves; only the rest remain.
            let chunk = s.postOrder[0], config = s.tree.children[0].children[1].objectID
            try await assertEqual(await store.put(objectID: chunk, content: s.objects[chunk]!), .stored, name)
            try await assertEqual(await store.put(objectID: config, content: s.objects[config]!), .stored, name)
            let again = try await store.preregister(runID: 2, tree: s.tree)
            XCTAssertEqual(again, s.postOrder.filter { $0 != chunk && $0 != config }, name)
            for id in s.postOrder where id != chunk && id != config {
                try await assertEqual(await store.put(objectID: id, content: s.objects[id]!), .stored, name)
            }
            try await assertEqual(await store.preregister(runID: 3, tree: s.tree), [], name)
        }
    }

    func testPreregisterRejectsMalformedIDsAndStoresNothing() async throws {
        try await forEachBackend { name, store in
            let s = Sample(marker: "a")
            let bad = ObjectTree(objectID: s.messageID, children: [ObjectTree(objectID: "ABC")])
            do {
                _ = try await store.preregister(runID: 1, tree: bad)
                XCTFail("\(name): accepted a malformed ID")
            } catch {
                XCTAssertEqual(error as? ObjectStoreError, .invalidObjectID("ABC"), name)
            }
            try await assertEqual(await store.pull(objectID: s.messageID), .notFound, name)
        }
    }

    func testPutChecksHashFormatAndPreregistration() async throws {
        try await forEachBackend { name, store in
            let s = Sample(marker: "a")
            let chunk = s.postOrder[0]
            let bytes = s.objects[chunk]!
            // Not preregistered yet.
            try await assertEqual(await store.put(objectID: chunk, content: bytes), .notPreregistered, name)
            _ = try await store.preregister(runID: 1, tree: s.tree)
            // Wrong hash.
            try await assertEqual(await store.put(objectID: chunk, content: bytes + [9]), .hashMismatch, name)
            // Right hash, wrong format.
            let junk: [UInt8] = Array("no divider".utf8)
            let junkID = ObjectContent.objectID(junk)
            _ = try await store.preregister(runID: 1, tree: ObjectTree(objectID: junkID))
            guard case .invalidContent = try await store.put(objectID: junkID, content: junk) else {
                return XCTFail("\(name): malformed content accepted")
            }
            try await assertEqual(await store.pull(objectID: junkID), PulledObject(found: true, available: false, content: []))
            // Stored once, then already available.
            try await assertEqual(await store.put(objectID: chunk, content: bytes), .stored, name)
            try await assertEqual(await store.put(objectID: chunk, content: bytes), .alreadyAvailable, name)
        }
    }

    func testPullReportsFoundAvailableAndContent() async throws {
        try await forEachBackend { name, store in
            let s = Sample(marker: "a")
            try await assertEqual(await store.pull(objectID: s.messageID), .notFound, name)
            _ = try await store.preregister(runID: 1, tree: s.tree)
            try await assertEqual(await store.pull(objectID: s.messageID),
                           PulledObject(found: true, available: false, content: []), name)
            _ = try await store.put(objectID: s.messageID, content: s.objects[s.messageID]!)
            try await assertEqual(await store.pull(objectID: s.messageID),
                           PulledObject(found: true, available: true, content: s.objects[s.messageID]!), name)
        }
    }

    func testTreeIsRebuiltFromChildLinksInHeadOrder() async throws {
        try await forEachBackend { name, store in
            let s = Sample(marker: "a")
            try await assertNil(await store.tree(objectID: s.messageID), name)
            _ = try await store.preregister(runID: 1, tree: s.tree)
            try await assertEqual(await store.tree(objectID: s.messageID), s.tree, name)
            try await assertEqual(await store.tree(objectID: s.recordDictID), s.tree.children[0], name)
        }
    }

    func testTreeOfTheVectorsRoundTrips() async throws {
        let vectors = try Fixtures.vectors()
        try await forEachBackend { name, store in
            var stored: Set<String> = []
            for v in vectors {
                // Vectors share objects: only those not pushed by an earlier vector are missing.
                let expected = Self.unique(v.tree.postOrder.map(\.objectID)).filter { !stored.contains($0) }
                try await assertEqual(await store.preregister(runID: 5, tree: v.tree), expected, "\(name) \(v.name)")
                stored.formUnion(v.objects.map(\.objectID))
                for o in v.objects {
                    let outcome = try await store.put(objectID: o.objectID, content: o.content)
                    XCTAssertTrue(outcome == .stored || outcome == .alreadyAvailable, "\(name) \(v.name)")
                }
                try await assertEqual(await store.tree(objectID: v.rootID), v.tree, "\(name) \(v.name)")
            }
        }
    }

    /// §3.4 worked example: FedAvg sends one RecordDict to N nodes inside N distinct Messages.
    func testSharedRecordDictIsFreedByTheLastConfirmation() async throws {
        try await forEachBackend { name, store in
            let n = 4
            let samples = (0..<n).map { Sample(marker: "dst=\($0)") }
            XCTAssertEqual(Set(samples.map(\.recordDictID)).count, 1)
            XCTAssertEqual(Set(samples.map(\.messageID)).count, n)
            for (i, s) in samples.enumerated() {
                let toPush = try await store.preregister(runID: 9, tree: s.tree)
                // The shared subtree is only missing until pushed by the first message.
                XCTAssertEqual(toPush, i == 0 ? s.postOrder : [s.messageID], name)
                for id in toPush { _ = try await store.put(objectID: id, content: s.objects[id]!) }
            }
            let dict = samples[0].recordDictID
            for (i, s) in samples.enumerated() {
                // Children of a still-referenced node cannot be deleted directly.
                try await store.delete(objectID: dict)
                try await assertTrue(await store.pull(objectID: dict).found, name)
                try await store.delete(objectID: s.messageID)
                try await assertFalse(await store.pull(objectID: s.messageID).found, name)
                let dictLeft = try await store.pull(objectID: dict).found
                XCTAssertEqual(dictLeft, i < n - 1, "\(name) after confirmation \(i)")
            }
            for id in samples[0].postOrder {
                try await assertFalse(await store.pull(objectID: id).found, "\(name) \(id) survived")
            }
        }
    }

    func testDeleteIsANoOpForUnknownIDs() async throws {
        try await forEachBackend { name, store in
            try await store.delete(objectID: String(repeating: "e", count: 64))
            try await store.delete(objectID: "not-an-id")
            try await store.deleteObjects(inRun: 12345)
            try await assertEqual(await store.pull(objectID: String(repeating: "e", count: 64)), .notFound, name)
        }
    }

    func testDeleteObjectsInRunKeepsObjectsOtherRunsStillReference() async throws {
        try await forEachBackend { name, store in
            let a = Sample(marker: "run-a"), b = Sample(marker: "run-b")
            _ = try await store.preregister(runID: 1, tree: a.tree)
            _ = try await store.preregister(runID: 2, tree: b.tree)
            try await store.deleteObjects(inRun: 1)
            try await assertFalse(await store.pull(objectID: a.messageID).found, name)
            // The shared RecordDict is still referenced by run 2's message.
            try await assertNotNil(await store.tree(objectID: b.messageID), name)
            try await store.deleteObjects(inRun: 2)
            for id in b.postOrder { try await assertFalse(await store.pull(objectID: id).found, name) }
        }
    }

    func testConcurrentPreregisterAndPutOfOneTree() async throws {
        try await forEachBackend { name, store in
            let s = Sample(marker: "race")
            let outcomes = try await withThrowingTaskGroup(of: [PutOutcome].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var out: [PutOutcome] = []
                        let toPush = try await store.preregister(runID: 3, tree: s.tree)
                        for id in toPush { out.append(try await store.put(objectID: id, content: s.objects[id]!)) }
                        return out
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            // Every object is stored exactly once; the rest saw it available.
            XCTAssertEqual(outcomes.filter { $0 == .stored }.count, s.postOrder.count, name)
            XCTAssertTrue(outcomes.allSatisfy { $0 == .stored || $0 == .alreadyAvailable }, name)
            try await assertEqual(await store.tree(objectID: s.messageID), s.tree, name)
            // The first preregistration linked the children once: one delete frees all.
            try await store.delete(objectID: s.messageID)
            for id in s.postOrder { try await assertFalse(await store.pull(objectID: id).found, name) }
        }
    }

    static func unique(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }
}
