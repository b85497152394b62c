import Foundation
import XCTest

@testable import SQL

/// Files that are not (this build's) state databases are refused and left byte-identical;
/// up-to-date files are opened without a single write.
final class BootstrapRefusalTests: XCTestCase {
    /// Opens `path`, expects a refusal matching `check`, and that no byte of the file changed
    /// and no side file (-wal, -shm, -journal) was left behind.
    private func assertRefused(
        _ path: String, in dir: TempDir, file: StaticString = #filePath, line: UInt = #line,
        _ check: (BootstrapError) -> Bool
    ) throws {
        let before = try fileBytes(path)
        let mtime = try modificationDate(path)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        do {
            let db = try Database.open(path: path, migrator: .flowerStateMigrator)
            db.close()
            XCTFail("expected a refusal", file: file, line: line)
        } catch {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertTrue(error.isSchemaRefusal, file: file, line: line)
        }
        XCTAssertEqual(try fileBytes(path), before, "file must be byte-identical", file: file, line: line)
        XCTAssertEqual(try modificationDate(path), mtime, file: file, line: line)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted(), listing,
            "no side files left", file: file, line: line)
    }

    private func isNotAStateDatabase(_ error: BootstrapError) -> Bool {
        if case .notAStateDatabase = error { return true }
        return false
    }

    func testRandomBytesAreRefusedUntouched() throws {
        let dir = try TempDir()
        let path = dir.path("random.db")
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        try assertRefused(path, in: dir, isNotAStateDatabase)
    }

    func testShortTextFileIsRefusedUntouched() throws {
        let dir = try TempDir()
        let path = dir.path("notes.txt")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("hello, not a database\n".utf8)))
        try assertRefused(path, in: dir, isNotAStateDatabase)
    }

    func testUnrelatedSQLiteDatabaseIsRefusedUntouched() throws {
        // A rollback-journal database: switching it to WAL would rewrite its header, so the
        // refusal must come before any journal_mode change.
        let dir = try TempDir()
        let path = dir.path("other.db")
        let raw = try Connection.openUnmanaged(path: path)
        try raw.executeScript("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
        raw.close()
        try assertRefused(path, in: dir, isNotAStateDatabase)
    }

    func testPartialPreAlembicSchemaIsRefusedUntouched() throws {
        let dir = try TempDir()
        let path = dir.path("partial.db")
        let raw = try Connection.openUnmanaged(path: path)
        for statement in FlowerBaselineMigration.statements { try raw.executeScript(statement) }
        try raw.executeScript("DROP TABLE run_objects; ALTER TABLE node DROP COLUMN heartbeat_interval;")
        raw.close()
        try assertRefused(path, in: dir) { error in
            guard case .schemaMismatch(_, let reason) = error else { return false }
            return reason.contains("table run_objects") && reason.contains("column node.heartbeat_interval")
        }
    }

    func testNewerVersionIsRefusedUntouched() throws {
        let dir = try TempDir()
        let path = dir.path("newer.db")
        try FileManager.default.copyItem(atPath: fixturePath("flower-1.28-state.db"), toPath: path)
        let raw = try Connection.openUnmanaged(path: path)
        try raw.executeScript("UPDATE alembic_version SET version_num = 'abcdef123456'")
        raw.close()
        try assertRefused(path, in: dir) { error in
            guard case .newerSchema(_, let found) = error else { return false }
            return found == "abcdef123456"
        }
    }

    func testNewerVersionInRollbackJournalFileIsRefusedUntouched() throws {
        let dir = try TempDir()
        let path = dir.path("newer-delete.db")
        let raw = try Connection.openUnmanaged(path: path)
        try raw.executeScript(VersionTable.alembic.createSQL + "; INSERT INTO alembic_version VALUES ('ffffffffffff');")
        raw.close()
        try assertRefused(path, in: dir) { error in
            if case .newerSchema = error { return true }
            return false
        }
    }

    func testSeveralVersionRowsAreRefusedUntouched() throws {
        let dir = try TempDir()
        let path = dir.path("branched.db")
        try FileManager.default.copyItem(atPath: fixturePath("flower-1.28-state.db"), toPath: path)
        let raw = try Connection.openUnmanaged(path: path)
        try raw.executeScript("INSERT INTO alembic_version VALUES ('c8f4f6e2c1ad')")
        raw.close()
        try assertRefused(path, in: dir) { error in
            if case .schemaMismatch = error { return true }
            return false
        }
    }

    func testZeroLengthFileIsAFreshDatabase() throws {
        let dir = try TempDir()
        let path = dir.path("empty.db")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        try Database.open(path: path, migrator: .flowerStateMigrator).close()
        XCTAssertEqual(try masterEntries(path), FlowerSchemaDump.head)
    }

    func testReopeningAnUpToDateFileWritesNothing() throws {
        let dir = try TempDir()
        let path = dir.path("state.db")
        try Database.open(path: path, migrator: .flowerStateMigrator).close()
        let before = try fileBytes(path)
        let mtime = try modificationDate(path)
        for _ in 0..<3 {
            let db = try Database.open(path: path, migrator: .flowerStateMigrator)
            _ = try db.readBlocking { conn in try conn.query("SELECT * FROM run") }
            db.close()
        }
        XCTAssertEqual(try fileBytes(path), before)
        XCTAssertEqual(try modificationDate(path), mtime)
    }

    func testMissingDirectoryIsAnIOError() {
        XCTAssertThrowsError(try Database.open(path: "/nonexistent-\(getpid())/dir/state.db", migrator: .flowerStateMigrator)) {
            guard case .io = $0 as? BootstrapError else { return XCTFail("expected .io, got \($0)") }
        }
    }

    func testMigrationFailureRollsBackEverything() throws {
        let dir = try TempDir()
        let path = dir.path("broken.db")
        let broken = Migrator(migrations: [
            Migration(id: "a") { try $0.executeScript("CREATE TABLE a (x)") },
            Migration(id: "b") { try $0.executeScript("CREATE TABLE b (x); THIS IS NOT SQL") },
        ])
        XCTAssertThrowsError(try Database.open(path: path, migrator: broken)) {
            guard case .migrationFailed(_, let migration, _) = $0 as? BootstrapError else {
                return XCTFail("expected .migrationFailed, got \($0)")
            }
            XCTAssertEqual(migration, "b")
        }
        XCTAssertEqual(try masterEntries(path), [], "one transaction: nothing of a, b or the version table remains")
    }
}
