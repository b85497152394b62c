import FlowerTime
import LinkState
import TestSupport
import XCTest

/// Racing transitions leave exactly one winner and a valid state (each race repeated).
final class ConcurrencyTests: XCTestCase {
    static let rounds = 200

    func testStopRunRacesTheAppFinishing() async throws {
        try await forEachBackend { name, state, _ in
            var stops = 0, completions = 0
            for _ in 0..<Self.rounds {
                let (runID, _) = try await Make.runningRun(state)
                async let stop = state.stopRun(runID: runID, flwrAid: "alice")
                async let finish = state.updateRunStatus(runID: runID, phase: .finished, subStatus: "completed", details: "")
                let (s, f) = try await (stop, finish)
                let run = try await XCTUnwrapAsync(await state.run(runID))
                XCTAssertEqual(run.phase, .finished, name)
                switch (s, f) {
                case (.stopped, .alreadyFinished):
                    stops += 1
                    XCTAssertEqual(run.subStatus, "stopped", name)
                case (.alreadyFinished, .updated):
                    completions += 1
                    XCTAssertEqual(run.subStatus, "completed", name)
                default:
                    XCTFail("\(name): no single winner: \(s) / \(f)")
                }
            }
            XCTAssertEqual(stops + completions, Self.rounds, name)
        }
    }

    func testTwoPullersOfOneMessage() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            for _ in 0..<Self.rounds {
                let ins = try await Make.storedInstruction(state, run: runID, dst: node, now: clock.now)
                async let a = state.claimInstruction(nodeID: node)
                async let b = state.claimInstruction(nodeID: node)
                let got = try await [a, b].compactMap { $0?.message.messageID }
                XCTAssertEqual(got, [ins.messageID], name)
            }
        }
    }

    func testHeartbeatRacesUnregister() async throws {
        try await forEachBackend { name, state, clock in
            for _ in 0..<Self.rounds {
                let key = Make.key()
                let id = try await state.createNode(publicKey: key, ownerAid: Make.owner, ownerName: "none", heartbeatInterval: 0)
                _ = try await state.activateNode(publicKey: key, heartbeatInterval: 30)
                async let beat = state.acknowledgeNodeHeartbeat(nodeID: id, heartbeatInterval: 30)
                async let gone = state.unregisterNode(nodeID: id, ownerAid: Make.owner)
                let (b, g) = try await (beat, gone)
                XCTAssertTrue(g, name)
                _ = b  // either order is valid; what matters is the final state
                let node = try await XCTUnwrapAsync(await state.node(id))
                XCTAssertEqual(node.status, .unregistered, name)
                XCTAssertNotNil(node.unregisteredAt, name)
                // Whichever ran first, unregistering capped online_until at its own time.
                XCTAssertEqual(node.onlineUntil, clock.now, name)
                XCTAssertEqual(node.unregisteredAt, FlowerTimestamp.iso(clock.now), name)
                try await assertNil(await state.nodeID(forPublicKey: key), name)
                try await assertFalse(await state.acknowledgeNodeHeartbeat(nodeID: id, heartbeatInterval: 30), name)
            }
        }
    }

    func testTwoActivationsOfOneKey() async throws {
        try await forEachBackend { name, state, _ in
            for _ in 0..<Self.rounds {
                let key = Make.key()
                let id = try await state.createNode(publicKey: key, ownerAid: Make.owner, ownerName: "none", heartbeatInterval: 0)
                async let a = state.activateNode(publicKey: key, heartbeatInterval: 30)
                async let b = state.activateNode(publicKey: key, heartbeatInterval: 30)
                let outcomes = try await [a, b]
                XCTAssertEqual(outcomes.filter { $0 == .activated(nodeID: id) }.count, 1, name)
                XCTAssertEqual(outcomes.filter { $0 == .notActivatable(nodeID: id) }.count, 1, name)
            }
        }
    }

    func testTwoTokenRequestsForOneRun() async throws {
        try await forEachBackend { name, state, _ in
            for _ in 0..<Self.rounds {
                let runID = try await Make.pendingRun(state)
                async let a = state.requestToken(runID: runID)
                async let b = state.requestToken(runID: runID)
                let tokens = try await [a, b].compactMap { $0 }
                XCTAssertEqual(tokens.count, 1, name)
            }
        }
    }

    /// Many tasks store instructions while others claim them: nothing is delivered twice or lost.
    func testConcurrentStoreAndClaimDeliversEachMessageOnce() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            var nodes: [UInt64] = []
            for _ in 0..<4 { nodes.append(try await Make.onlineNode(state)) }
            let perProducer = 25, producers = 4
            let now = clock.now
            let allNodes = nodes
            let stored = try await withThrowingTaskGroup(of: [String].self) { group in
                for p in 0..<producers {
                    group.addTask {
                        var ids: [String] = []
                        for i in 0..<perProducer {
                            let dst = allNodes[(p + i) % allNodes.count]
                            let row = try await Make.storedInstruction(state, run: runID, dst: dst, now: now)
                            ids.append(row.messageID)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            XCTAssertEqual(Set(stored).count, perProducer * producers, name)

            // Claimers race (two per node) until every node is drained.
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for node in allNodes + allNodes {
                    group.addTask {
                        var ids: [String] = []
                        while let m = try await state.claimInstruction(nodeID: node) {
                            XCTAssertEqual(m.message.dstNodeID, node)
                            ids.append(m.message.messageID)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            XCTAssertEqual(claimed.count, stored.count, "\(name): delivered twice or lost")
            XCTAssertEqual(Set(claimed), Set(stored), name)
        }
    }

    /// Producers and claimers at the same time.
    func testInterleavedStoreAndClaim() async throws {
        try await forEachBackend { name, state, clock in
            let (runID, _) = try await Make.runningRun(state)
            let node = try await Make.onlineNode(state)
            let total = 60
            let now = clock.now
            let (stored, claimed) = try await withThrowingTaskGroup(of: (Bool, [String]).self) { group in
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<total {
                        ids.append(try await Make.storedInstruction(state, run: runID, dst: node, now: now).messageID)
                    }
                    return (true, ids)
                }
                for _ in 0..<3 {
                    group.addTask {
                        var ids: [String] = []
                        var idle = 0
                        while idle < 2000 {
                            if let m = try await state.claimInstruction(nodeID: node) {
                                ids.append(m.message.messageID)
                                idle = 0
                            } else {
                                idle += 1
                                await Task.yield()
                            }
                        }
                        return (false, ids)
                    }
                }
                var stored: [String] = [], claimed: [String] = []
                for try await (isProducer, ids) in group {
                    if isProducer { stored = ids } else { claimed += ids }
                }
                return (stored, claimed)
            }
            // Whatever the claimers missed (they stop after a quiet spell) is still claimable once.
            var rest: [String] = []
            while let m = try await state.claimInstruction(nodeID: node) { rest.append(m.message.messageID) }
            XCTAssertEqual((claimed + rest).count, total, name)
            XCTAssertEqual(Set(claimed + rest), Set(stored), name)
        }
    }
}
