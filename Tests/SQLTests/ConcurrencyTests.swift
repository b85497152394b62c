import Foundation
import Synchronization
import XCTest

@testable import SQL

final class ConcurrencyTests: XCTestCase {
    private func counter(_ db: Database) async throws -> Int64? {
        try await db.read { conn in try conn.queryOne("SELECT n FROM counter WHERE id = 1")?.int64(0) }
    }

    func testConcurrentIncrementsFromManyTasksAreExact() async throws {
        let dir = try TempDir()
        let db = try Database.open(path: dir.path("c.db"), migrator: scratchMigrator)
        defer { db.close() }
        let total = 2000, tasks = 64
        let errors = try await withThrowingTaskGroup(of: Int.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var failures = 0
                    for _ in stride(from: t, to: total, by: tasks) {
                        do {
                            try await db.write { conn in try conn.execute("UPDATE counter SET n = n + 1 WHERE id = 1") }
                            // Interleave reads: they run on reader threads while writes queue up.
                            _ = try await db.read { conn in try conn.queryOne("SELECT n FROM counter")?.int64(0) }
                        } catch {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(errors, 0)
        let n = try await counter(db)
        XCTAssertEqual(n, Int64(total))
    }

    func testInMemoryDatabaseSurvivesConcurrentReadsAndWrites() async throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    for _ in 0..<10 {
                        try await db.write { conn in try conn.execute("UPDATE counter SET n = n + 1") }
                        _ = try await db.read { conn in try conn.query("SELECT * FROM counter") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let n = try await counter(db)
        XCTAssertEqual(n, 320)
    }

    func testABatchedWriteThatThrowsRollsBackOnlyItself() async throws {
        // Many writes queued at once get group-committed; every third one fails.
        let dir = try TempDir()
        let db = try Database.open(path: dir.path("g.db"), migrator: scratchMigrator)
        defer { db.close() }
        struct Refused: Error {}
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<300 {
                group.addTask {
                    do {
                        let echoed = try await db.write { conn -> Int in
                            try conn.execute("INSERT INTO kv (k, v) VALUES (?, ?)", "k\(i)", i)
                            if i % 3 == 0 { throw Refused() }
                            if i % 3 == 1 {
                                // A constraint failure inside the body, caught by the caller.
                                try conn.execute("INSERT INTO kv (k, v) VALUES (?, ?)", "k\(i)", i)
                            }
                            return i
                        }
                        return (i, echoed == i)
                    } catch {
                        return (i, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        XCTAssertGreaterThan(db.writerStats.largestBatch.load(ordering: .relaxed), 1, "writes were group-committed")
        XCTAssertLessThan(db.writerStats.transactions.load(ordering: .relaxed), 300)
        let keys = try await db.read { conn in Set(try conn.query("SELECT k FROM kv").compactMap { $0.string(0) }) }
        for i in 0..<300 {
            XCTAssertEqual(outcomes[i], i % 3 == 2, "write \(i) outcome")
            XCTAssertEqual(keys.contains("k\(i)"), i % 3 == 2, "row of write \(i)")
        }
    }

    func testGroupCommitCanBeTurnedOff() async throws {
        let db = try Database.openInMemory(migrator: scratchMigrator, config: DatabaseConfig(maxWriteBatch: 1))
        defer { db.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 { group.addTask { try await db.write { try $0.execute("UPDATE counter SET n = n + 1") } } }
            try await group.waitForAll()
        }
        XCTAssertEqual(db.writerStats.largestBatch.load(ordering: .relaxed), 1)
        XCTAssertEqual(db.writerStats.transactions.load(ordering: .relaxed), 100)
        let n = try await counter(db)
        XCTAssertEqual(n, 100)
    }

    func testBlockingCallsFromPlainThreads() throws {
        let dir = try TempDir()
        let db = try Database.open(path: dir.path("b.db"), migrator: scratchMigrator)
        defer { db.close() }
        let done = DispatchGroup()
        let failures = LockedCount()
        for _ in 0..<8 {
            done.enter()
            Thread {
                for _ in 0..<25 {
                    do {
                        try db.writeBlocking { conn in try conn.execute("UPDATE counter SET n = n + 1") }
                        _ = try db.readBlocking { conn in try conn.queryOne("SELECT n FROM counter") }
                    } catch {
                        failures.increment()
                    }
                }
                done.leave()
            }.start()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(try db.readBlocking { try $0.queryOne("SELECT n FROM counter")?.int64(0) }, 200)
    }

    func testReadersSeeACommittedSnapshotWhileTheWriterWorks() async throws {
        let dir = try TempDir()
        let db = try Database.open(path: dir.path("s.db"), migrator: scratchMigrator)
        defer { db.close() }
        // A reader inside a long read transaction keeps its snapshot; a write meanwhile commits.
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let release = DispatchSemaphore(value: 0)
        async let snapshot: (Int64?, Int64?) = db.read { conn in
            let first = try conn.queryOne("SELECT n FROM counter")?.int64(0)
            startedSignal.yield()
            release.wait()  // on the reader thread, not the pool
            let second = try conn.queryOne("SELECT n FROM counter")?.int64(0)
            return (first, second)
        }
        for await _ in started { break }
        try await db.write { conn in try conn.execute("UPDATE counter SET n = 7") }
        release.signal()
        let (first, second) = try await snapshot
        XCTAssertEqual(first, 0)
        XCTAssertEqual(second, 0, "same snapshot for the whole read transaction")
        let n = try await counter(db)
        XCTAssertEqual(n, 7)
    }
}

/// A thread-safe counter for tests.
final class LockedCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
