import XCTest

@testable import SQL

final class ConnectionTests: XCTestCase {
    func testStatementsArePreparedOncePerSQLString() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        let (before, after, again) = try db.writeBlocking { conn -> (Int, Int, Int) in
            let before = conn.cachedStatementCount
            for i in 0..<100 { try conn.execute("INSERT INTO kv (k, v) VALUES (?, ?)", "k\(i)", i) }
            let after = conn.cachedStatementCount
            for i in 0..<100 { _ = try conn.queryOne("SELECT v FROM kv WHERE k = ?", "k\(i)") }
            return (before, after, conn.cachedStatementCount)
        }
        XCTAssertEqual(after, before + 1, "100 executions of one SQL string prepare one statement")
        XCTAssertEqual(again, after + 1)
    }

    func testStatementCacheIsBounded() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator, config: DatabaseConfig(statementCacheCapacity: 4))
        defer { db.close() }
        let counts = try db.writeBlocking { conn in
            try (0..<20).map { i -> Int in
                _ = try conn.query("SELECT \(i) FROM kv")
                return conn.cachedStatementCount
            }
        }
        XCTAssertLessThanOrEqual(counts.max() ?? 0, 4)
    }

    func testMemoryPathSharesOneDatabaseAcrossReadsAndWrites() async throws {
        // ":memory:" per connection would give readers an empty database of their own.
        let db = try Database.open(path: ":memory:", migrator: scratchMigrator)
        defer { db.close() }
        try await db.write { try $0.execute("UPDATE counter SET n = 5") }
        let n = try await db.read { try $0.queryOne("SELECT n FROM counter")?.int64(0) }
        XCTAssertEqual(n, 5)
    }

    func testChangesAndLastInsertRowID() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        try db.writeBlocking { conn in
            try conn.execute("INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 1), ('c', 2)")
            XCTAssertEqual(conn.changes, 3)
            XCTAssertEqual(conn.lastInsertRowID, 3)
            try conn.execute("UPDATE kv SET v = 9 WHERE v = ?", 1)
            XCTAssertEqual(conn.changes, 2)
            try conn.execute("UPDATE kv SET v = 9 WHERE k = 'none'")
            XCTAssertEqual(conn.changes, 0)
        }
    }

    func testWriteRollsBackWhenTheBodyThrows() async throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        struct Boom: Error {}
        do {
            try await db.write { conn in
                try conn.execute("INSERT INTO kv (k, v) VALUES ('gone', 1)")
                throw Boom()
            }
            XCTFail("the body's error must propagate")
        } catch is Boom {}
        XCTAssertThrowsError(try db.writeBlocking { conn in
            try conn.execute("INSERT INTO kv (k, v) VALUES ('gone2', 1)")
            throw Boom()
        })
        let count = try await db.read { conn in try conn.queryOne("SELECT count(*) FROM kv")?.int64(0) }
        XCTAssertEqual(count, 0)
    }

    func testConstraintViolationsAreReportedAsSuch() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        XCTAssertThrowsError(try db.writeBlocking { conn in
            try conn.execute("INSERT INTO kv (k, v) VALUES ('dup', 1)")
            try conn.execute("INSERT INTO kv (k, v) VALUES ('dup', 2)")
        }) { error in
            let sqlError = error as? SQLError
            XCTAssertEqual(sqlError?.isConstraintViolation, true)
            XCTAssertEqual(sqlError?.isUniqueViolation, true)
            XCTAssertEqual(sqlError?.sql, "INSERT INTO kv (k, v) VALUES ('dup', 2)")
        }
    }

    func testSavepointRollsBackOnlyItsOwnChanges() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        struct Boom: Error {}
        let keys = try db.writeBlocking { conn -> [String] in
            try conn.execute("INSERT INTO kv (k) VALUES ('outer')")
            _ = try? conn.savepoint { c in
                try c.execute("INSERT INTO kv (k) VALUES ('inner')")
                throw Boom()
            }
            try conn.savepoint { c in try c.execute("INSERT INTO kv (k) VALUES ('kept')") }
            return try conn.query("SELECT k FROM kv ORDER BY k").compactMap { $0.string(0) }
        }
        XCTAssertEqual(keys, ["kept", "outer"])
    }

    func testReadTransactionsCannotWrite() async throws {
        let dir = try TempDir()
        let db = try Database.open(path: dir.path("r.db"), migrator: scratchMigrator)
        defer { db.close() }
        do {
            try await db.read { conn in try conn.execute("INSERT INTO kv (k) VALUES ('x')") }
            XCTFail("a read body must not be able to write")
        } catch let error as SQLError {
            XCTAssertEqual(error.code, 8, "SQLITE_READONLY (query_only)")
        }
    }

    func testEveryConnectionGetsFlowersPragmas() throws {
        let dir = try TempDir()
        let db = try Database.open(path: dir.path("p.db"), migrator: scratchMigrator)
        defer { db.close() }
        let check = { (conn: Connection) throws -> [String] in
            try ["journal_mode", "synchronous", "foreign_keys", "cache_size", "temp_store", "mmap_size", "busy_timeout"].map {
                "\($0)=\(try conn.queryOne("PRAGMA \($0)")![0])"
            }
        }
        let expected = [
            "journal_mode=text(\"wal\")", "synchronous=integer(1)", "foreign_keys=integer(1)",
            "cache_size=integer(-64000)", "temp_store=integer(2)", "mmap_size=integer(268435456)",
            "busy_timeout=integer(5000)",
        ]
        XCTAssertEqual(try db.writeBlocking(check), expected)
        XCTAssertEqual(try db.readBlocking(check), expected)
    }

    func testClosedDatabaseRefusesWork() async throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        db.close()
        db.close()
        do {
            _ = try await db.write { _ in 1 }
            XCTFail("write after close must fail")
        } catch let error as SQLError {
            XCTAssertEqual(error, SQLError.closed)
        }
        XCTAssertThrowsError(try db.readBlocking { _ in 1 })
    }
}
