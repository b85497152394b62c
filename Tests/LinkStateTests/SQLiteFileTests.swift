import LinkState
import ObjectStore
import SQL
import TestSupport
import XCTest

/// What the SQLite backend writes, checked in the raw rows (Flower's encodings, §2.1–2.2), and what
/// survives a restart.
final class SQLiteFileTests: XCTestCase {
    override func tearDown() { TempFiles.removeAll() }

    private func open(_ path: String, _ clock: TestClock) async throws -> SQLiteLinkState {
        let closure = clock.closure
        return try await offPool { try SQLiteLinkState(path: path, clock: closure) }
    }

    private func raw(_ state: SQLiteLinkState, _ sql: String, _ args: [SQLBindable?] = []) async throws -> [Row] {
        nonisolated(unsafe) let args = args
        return try await state.database.read { conn in try conn.query(sql, args) }
    }

    func testRowsUseFlowersEncodings() async throws {
        let clock = TestClock(1_767_225_600.25)
        let state = try await open(TempFiles.path("encodings"), clock)
        defer { state.close() }

        // A node ID ≥ 2^63 is stored as the same bits, i.e. negative.
        var big: UInt64 = 0
        for _ in 0..<64 where big <= UInt64(Int64.max) {
            big = try await state.createNode(publicKey: Make.key(), ownerAid: "a", ownerName: "A", heartbeatInterval: 10)
        }
        XCTAssertGreaterThan(big, UInt64(Int64.max))
        let nodeRow = try await raw(state, "SELECT node_id, typeof(online_until), registered_at FROM node WHERE node_id = ?",
                                    [big])
        XCTAssertEqual(nodeRow.first?.int64(0), Int64(bitPattern: big))
        XCTAssertEqual(nodeRow.first?.string(1), "null")
        XCTAssertEqual(nodeRow.first?.string(2), "2026-01-01T00:00:00.250000+00:00")

        let node = try await Make.onlineNode(state, interval: 10)
        let (runID, token) = try await Make.runningRun(state)
        let ins = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
        _ = try await state.appendServerAppLog(runID: runID, text: "hello")
        clock.advance(20.5)
        _ = try await state.node(node)  // swept offline

        let n = try await XCTUnwrapAsync(await raw(state, "SELECT status, typeof(online_until), last_deactivated_at FROM node WHERE node_id = ?", [node]).first)
        XCTAssertEqual(n.string(0), "offline")
        XCTAssertEqual(n.string(1), "real")
        XCTAssertEqual(n.string(2), "2026-01-01T00:00:20.250+00:00")  // online_until, milliseconds

        let r = try await XCTUnwrapAsync(await raw(state, "SELECT pending_at, starting_at, running_at, finished_at, sub_status, "
                                            + "run_type, typeof(federation_config), usage_reported_at FROM run WHERE run_id = ?", [runID]).first)
        XCTAssertEqual(r.values, [.text("2026-01-01T00:00:00.250000+00:00"), .text("2026-01-01T00:00:00.250000+00:00"),
                                  .text("2026-01-01T00:00:00.250000+00:00"), .text(""), .text(""), .text("serverapp"),
                                  .text("null"), .text("")])

        let m = try await XCTUnwrapAsync(await raw(state, "SELECT typeof(content), length(content), typeof(error), delivered_at, "
                                            + "typeof(created_at), typeof(ttl), src_node_id FROM message_ins WHERE message_id = ?",
                                            [ins.messageID]).first)
        XCTAssertEqual(m.values, [.text("blob"), .integer(0), .text("null"), .text(""), .text("real"), .text("real"), .integer(1)])

        let t = try await XCTUnwrapAsync(await raw(state, "SELECT token, typeof(active_until), active_until FROM token_store WHERE run_id = ?", [runID]).first)
        XCTAssertEqual(t.string(0), token)
        XCTAssertEqual(t.string(1), "real")
        XCTAssertEqual(t.double(2), 1_767_225_600.25 + 30)

        let l = try await XCTUnwrapAsync(await raw(state, "SELECT timestamp, node_id, log FROM logs WHERE run_id = ?", [runID]).first)
        XCTAssertEqual(l.values, [.real(1_767_225_600.25), .integer(0), .text("hello")])

        // Preregistered-but-unpushed objects hold b"" (not NULL).
        let p = Payload(marker: "unpushed")
        _ = try await state.preregisterObjects(runID: runID, tree: p.tree)
        let o = try await XCTUnwrapAsync(await raw(state, "SELECT typeof(content), length(content), is_available, ref_count FROM objects WHERE object_id = ?",
                                            [p.messageID]).first)
        XCTAssertEqual(o.values, [.text("blob"), .integer(0), .integer(0), .integer(0)])
        let children = try await raw(state, "SELECT child_id FROM object_children WHERE parent_id = ?", [p.messageID])
        XCTAssertEqual(children.map { $0.string(0) }, [p.recordDictID])
        let recorded = try await raw(state, "SELECT run_id FROM run_objects WHERE object_id = ?", [p.messageID])
        XCTAssertEqual(recorded.map { $0.uint64(0) }, [runID])
    }

    func testStateSurvivesARestartAndIsSweptOnlyLazily() async throws {
        let path = TempFiles.path("restart")
        let clock = TestClock()
        var state: SQLiteLinkState? = try await open(path, clock)
        let node = try await Make.onlineNode(state!, interval: 10)
        let (runID, token) = try await Make.runningRun(state!)
        let ins = try await Make.storedInstruction(state!, run: runID, dst: node, now: clock.now)
        _ = try await state!.appendServerAppLog(runID: runID, text: "before restart\n")
        state!.close()
        state = nil

        clock.advance(100)  // node overdue, token expired — but nobody has looked yet
        let reopened = try await open(path, clock)
        defer { reopened.close() }
        let rows = try await raw(reopened, "SELECT status FROM node WHERE node_id = ?", [node])
        XCTAssertEqual(rows.first?.string(0), "online", "opening must not sweep")
        let tokens = try await raw(reopened, "SELECT count(*) FROM token_store")
        XCTAssertEqual(tokens.first?.int64(0), 1, "opening must not sweep")

        try await assertEqual(await reopened.serverAppLog(runID: runID, after: 0)?.text, "before restart\n")
        try await assertEqual(await reopened.node(node)?.status, .offline)
        try await assertNotNil(await reopened.objects.tree(objectID: ins.messageID))
        try await assertEqual(await reopened.run(runID)?.subStatus, "failed")
        try await assertFalse(await reopened.acknowledgeAppHeartbeat(token: token))
        // The failed run's objects went with it.
        try await assertNil(await reopened.objects.tree(objectID: ins.messageID))
    }

    func testTheObjectStoreSharesTheStatesFile() async throws {
        let clock = TestClock()
        let state = try await open(TempFiles.path("shared"), clock)
        defer { state.close() }
        let (runID, _) = try await Make.runningRun(state)
        let p = Payload(marker: "shared-file")
        let separate = SQLiteObjectStore(database: state.database)
        _ = try await separate.preregister(runID: runID, tree: p.tree)
        try await assertEqual(await state.pullObject(runID: runID, objectID: p.messageID),
                              .done(PulledObject(found: true, available: false, content: [])))
    }
}
