import LinkState
import ObjectStore
import TestSupport
import XCTest

/// `state.objects` is a full ObjectStore over the state's own object tables (what the servicers use
/// for SuperLink-synthesised replies), sharing them with the run-scoped operations.
final class ObjectViewTests: XCTestCase {
    func testObjectsViewIsAnObjectStoreOverTheSameTables() async throws {
        try await forEachBackend { name, state, _ in
            let (runID, _) = try await Make.runningRun(state)
            let p = Payload(marker: "synthesised")
            try await assertEqual(await state.objects.preregister(runID: runID, tree: p.tree), p.postOrder, name)
            for id in p.postOrder {
                try await assertEqual(await state.objects.put(objectID: id, content: p.objects[id]!), .stored, name)
            }
            try await assertEqual(await state.objects.put(objectID: p.messageID, content: [0]), .hashMismatch, name)
            try await assertEqual(await state.pullObject(runID: runID, objectID: p.messageID),
                                  .done(PulledObject(found: true, available: true, content: p.objects[p.messageID]!)), name)
            try await assertEqual(await state.objects.tree(objectID: p.messageID), p.tree, name)
            do {
                _ = try await state.objects.preregister(runID: runID, tree: ObjectTree(objectID: "nope"))
                XCTFail(name)
            } catch {
                XCTAssertEqual(error as? ObjectStoreError, .invalidObjectID("nope"), name)
            }
            try await state.objects.deleteObjects(inRun: runID)
            for id in p.postOrder { try await assertFalse(await state.objects.pull(objectID: id).found, name) }
        }
    }

    func testFinishedRunsLoseTheirObjectsOnSweep() async throws {
        try await forEachBackend { name, state, _ in
            let (runID, _) = try await Make.runningRun(state)
            _ = try await state.updateRunStatus(runID: runID, phase: .finished, subStatus: "completed", details: "")
            // Objects recorded for a finished run after it finished (e.g. a late preregistration).
            let p = Payload(marker: "late")
            _ = try await state.objects.preregister(runID: runID, tree: p.tree)
            _ = try await state.sweep()
            try await assertFalse(await state.objects.pull(objectID: p.messageID).found, name)
        }
    }
}
