import FlowerProto
import XCTest

/// Many SuperNodes at once against the SQLite state (one writer, WAL readers): every call must
/// succeed, and each instruction is claimed exactly once.
final class ConcurrencyTests: XCTestCase {
    static let nodeCount = 64

    func testConcurrentHeartbeatsAndPullsOnSQLite() async throws {
        try await withLink(.sqlite) { link in
            let nodes = try await withThrowingTaskGroup(of: TestNode.self) { group in
                for _ in 0..<Self.nodeCount { group.addTask { try await link.newNode() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(Set(nodes.map(\.id)).count, Self.nodeCount)
            let (runID, _) = try await link.runningRun()
            let instructions = nodes.map {
                FlowerObjects.instruction(runID: runID, dst: $0.id, createdAt: link.clock.now, type: "query")
            }
            let pushed = try await link.pushInstructions(instructions, runID: runID)
            XCTAssertEqual(pushed.messageIDs, instructions.map(\.id))

            // Round 1: a heartbeat and two competing pulls per node, all at once.
            let outcomes = await withTaskGroup(of: (UInt64, String, Result<[String], Error>).self) { group in
                for node in nodes {
                    group.addTask {
                        (node.id, "heartbeat", await outcome { try await link.heartbeat(node) ? [] : ["success=false"] })
                    }
                    for _ in 0..<2 {
                        group.addTask {
                            (node.id, "pull", await outcome {
                                try await link.pullInstruction(node).messagesList.map { $0.metadata?.messageID ?? "" }
                            })
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            var errors: [String] = []
            var claimed: [UInt64: [String]] = [:]
            for (id, kind, result) in outcomes {
                switch result {
                case .failure(let e): errors.append("\(kind) \(id): \(e)")
                case .success(let ids) where kind == "heartbeat": errors += ids.map { "heartbeat \(id): \($0)" }
                case .success(let ids): claimed[id, default: []] += ids
                }
            }
            XCTAssertEqual(errors, [], "\(errors.count) failed calls")
            for (node, instruction) in zip(nodes, instructions) {
                XCTAssertEqual(claimed[node.id] ?? [], [instruction.id], "node \(node.id)")
            }

            // Round 2: heartbeats only, again all at once.
            let failures = await withTaskGroup(of: String?.self) { group in
                for node in nodes {
                    group.addTask {
                        do { return try await link.heartbeat(node, interval: 60) ? nil : "success=false" } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(failures, [])
            let online = try await link.state.nodes(ownerAid: "<id:none>")
            XCTAssertEqual(online.filter { $0.status == .online && $0.heartbeatInterval == 60 }.count, Self.nodeCount)
        }
    }
}

/// `Result(catching:)` for async bodies.
private func outcome<T>(_ body: () async throws -> T) async -> Result<T, Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
