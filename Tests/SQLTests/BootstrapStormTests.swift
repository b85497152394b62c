import Foundation
import Synchronization
import XCTest

@testable import SQL

/// Many threads and many processes bootstrapping the same fresh file at the same instant —
/// the bug behind this project (Flower #6797): every opener must succeed, and exactly one
/// complete schema must result.
final class BootstrapStormTests: XCTestCase {
    /// Runs `work` on `count` threads released together from a barrier; returns the failures.
    private func simultaneously(_ count: Int, _ work: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let failures = Mutex<[String]>([])
        for index in 0..<count {
            done.enter()
            Thread {
                arrived.signal()
                release.wait()
                do { try work(index) } catch { failures.withLock { $0.append("thread \(index): \(error)") } }
                done.leave()
            }.start()
        }
        for _ in 0..<count { arrived.wait() }
        for _ in 0..<count { release.signal() }
        if done.wait(timeout: .now() + 120) == .timedOut { return ["timed out"] }
        return failures.withLock { $0 }
    }

    func testThreadStormOnFreshFiles() throws {
        let dir = try TempDir()
        for round in 0..<50 {
            let path = dir.path("storm-\(round).db")
            let failures = simultaneously(16) { _ in
                let db = try Database.open(path: path, migrator: .flowerStateMigrator, config: DatabaseConfig(readerCount: 1))
                defer { db.close() }
                let version = try db.readBlocking { try $0.queryOne("SELECT version_num FROM alembic_version")?.string(0) }
                guard version == FlowerStateSchema.headRevision else { throw SQLError(code: 1, message: "version \(version ?? "nil")") }
            }
            XCTAssertEqual(failures, [], "round \(round)")
            let actual = try masterEntries(path)
            XCTAssertEqual(actual, FlowerSchemaDump.head, "round \(round): " + describeDifferences(actual, FlowerSchemaDump.head))
            XCTAssertEqual(try readOnlyQuery(path, "SELECT version_num FROM alembic_version").compactMap { $0.string(0) }, ["795243e997d8"])
            if !failures.isEmpty { break }
        }
    }

    func testThreadStormMixingFlowerAndBaselineMigrators() throws {
        // Openers of different builds race: old ones (baseline only) must either migrate the fresh
        // file to the baseline or refuse a newer one; new ones upgrade. Nobody sees an error
        // other than the clean newerSchema refusal, and the file ends at one of the two heads.
        let dir = try TempDir()
        let baselineOnly = Migrator(migrations: [FlowerStateSchema.migrations[0]])
        for round in 0..<10 {
            let path = dir.path("mixed-\(round).db")
            let failures = simultaneously(8) { index in
                do {
                    try Database.open(path: path, migrator: index % 2 == 0 ? .flowerStateMigrator : baselineOnly).close()
                } catch BootstrapError.newerSchema {
                    // An old build opening after a new one upgraded: the expected refusal.
                }
            }
            XCTAssertEqual(failures, [], "round \(round)")
        }
    }

    /// Where `swift build` put the probe: next to the test bundle (.build/<config>/).
    private func probeExecutable() -> String? {
        var candidates: [URL] = [Bundle.main.bundleURL, Bundle(for: Self.self).bundleURL.deletingLastPathComponent()]
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for dir in candidates {
            let url = dir.appendingPathComponent("sql-bootstrap-probe")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return nil
    }

    func testProcessStormOnFreshFiles() throws {
        guard let probe = probeExecutable() else {
            return XCTFail("sql-bootstrap-probe not built next to the tests: run `swift build --build-tests` first")
        }
        let dir = try TempDir()
        let processes = 8, threadsEach = 8
        for round in 0..<3 {
            let path = dir.path("pstorm-\(round).db")
            let go = dir.path("go-\(round)")
            var children: [ChildProcess] = []
            defer { for child in children { child.terminate() } }
            for p in 0..<processes {
                children.append(try startProcess(probe, [path, "\(threadsEach)", dir.path("ready-\(round)-\(p)"), go]))
            }
            // Release everyone together, once every process has all its threads at the barrier.
            let deadline = Date().addingTimeInterval(60)
            while (0..<processes).contains(where: { !FileManager.default.fileExists(atPath: dir.path("ready-\(round)-\($0)")) }) {
                guard Date() < deadline else { return XCTFail("probes did not get ready: \(children.map(\.output))") }
                usleep(2_000)
            }
            XCTAssertTrue(FileManager.default.createFile(atPath: go, contents: Data()))
            for (p, child) in children.enumerated() {
                let status = child.waitForExit(timeout: 90)
                XCTAssertEqual(status, 0, "round \(round) process \(p) output:\n\(child.output)")
                XCTAssertEqual(child.output, "", "round \(round) process \(p) printed errors")
            }
            let actual = try masterEntries(path)
            XCTAssertEqual(actual, FlowerSchemaDump.head, describeDifferences(actual, FlowerSchemaDump.head))
            XCTAssertEqual(try readOnlyQuery(path, "SELECT version_num FROM alembic_version").compactMap { $0.string(0) }, ["795243e997d8"])
            XCTAssertEqual(try readOnlyQuery(path, "SELECT count(*) FROM run").first?.int64(0), Int64(processes * threadsEach),
                           "every opener's write landed")
        }
    }
}
