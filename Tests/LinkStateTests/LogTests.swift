import LinkState
import TestSupport
import XCTest

final class LogTests: XCTestCase {
    func testLogsAreOrderedAndFilteredByAfter() async throws {
        try await forEachBackend { name, state, clock in
            try await assertFalse(await state.appendServerAppLog(runID: 1, text: "x"), name)
            try await assertNil(await state.serverAppLog(runID: 1, after: 0), name)
            let runID = try await Make.pendingRun(state)
            let empty = try await XCTUnwrapAsync(await state.serverAppLog(runID: runID, after: 0))
            XCTAssertEqual(empty.text, "", name)
            XCTAssertEqual(empty.latest, 0, name)

            let t0 = clock.now
            try await assertTrue(await state.appendServerAppLog(runID: runID, text: "a\n"), name)
            // Same clock reading: still a distinct, later row.
            try await assertTrue(await state.appendServerAppLog(runID: runID, text: "b\n"), name)
            clock.advance(1)
            try await assertTrue(await state.appendServerAppLog(runID: runID, text: "c\n"), name)
            let all = try await XCTUnwrapAsync(await state.serverAppLog(runID: runID, after: 0))
            XCTAssertEqual(all.text, "a\nb\nc\n", name)
            XCTAssertEqual(all.latest, t0 + 1, name)
            let first = try await XCTUnwrapAsync(await state.serverAppLog(runID: runID, after: t0 - 1))
            XCTAssertEqual(first.text, "a\nb\nc\n", name)
            // StreamLogs' cursor: after = latest + 1e-6.
            let tail = try await XCTUnwrapAsync(await state.serverAppLog(runID: runID, after: t0 + 1e-6))
            XCTAssertEqual(tail.text, "b\nc\n", name)
            let none = try await XCTUnwrapAsync(await state.serverAppLog(runID: runID, after: all.latest + 1e-6))
            XCTAssertEqual(none.text, "", name)
            XCTAssertEqual(none.latest, 0, name)
            // Another run's logs are separate.
            let other = try await Make.pendingRun(state)
            _ = try await state.appendServerAppLog(runID: other, text: "zzz")
            try await assertEqual(await state.serverAppLog(runID: runID, after: 0)?.text, "a\nb\nc\n", name)
        }
    }
}
