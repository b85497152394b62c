import XCTest

@testable import SQL

/// A small schema for the wrapper's own tests.
let scratchMigrator = Migrator(migrations: [
    Migration(id: "scratch-1") { conn in
        try conn.executeScript("""
            CREATE TABLE kv (k TEXT PRIMARY KEY, v);
            CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
            INSERT INTO counter VALUES (1, 0);
            """)
    }
])

final class ValueBindingTests: XCTestCase {
    private func roundTrip(_ value: SQLBindable?) throws -> SQLValue {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        return try db.writeBlocking { conn in
            try conn.execute("INSERT INTO kv (k, v) VALUES ('x', ?)", value)
            return try conn.queryOne("SELECT v FROM kv WHERE k = 'x'")![0]
        }
    }

    func testEveryStorageClassRoundTrips() throws {
        XCTAssertEqual(try roundTrip(SQLValue.null), .null)
        XCTAssertEqual(try roundTrip(Int64.min), .integer(.min))
        XCTAssertEqual(try roundTrip(Int64.max), .integer(.max))
        XCTAssertEqual(try roundTrip(42), .integer(42))
        XCTAssertEqual(try roundTrip(Int32(-7)), .integer(-7))
        XCTAssertEqual(try roundTrip(UInt32.max), .integer(4_294_967_295))
        XCTAssertEqual(try roundTrip(1.5), .real(1.5))
        XCTAssertEqual(try roundTrip(-0.25), .real(-0.25))
        XCTAssertEqual(try roundTrip("héllo ✓"), .text("héllo ✓"))
        XCTAssertEqual(try roundTrip("a\u{0}b"), .text("a\u{0}b"), "embedded NUL kept (length-based binding)")
        XCTAssertEqual(try roundTrip("x"[...]), .text("x"))
        XCTAssertEqual(try roundTrip([0, 1, 255] as [UInt8]), .blob([0, 1, 255]))
        XCTAssertEqual(try roundTrip(true), .integer(1))
        XCTAssertEqual(try roundTrip(false), .integer(0))
    }

    func testEmptyTextAndBlobAreNotNull() throws {
        // Flower stores b"" for objects not yet pushed; '' and X'' must not turn into NULL.
        XCTAssertEqual(try roundTrip(""), .text(""))
        XCTAssertEqual(try roundTrip([] as [UInt8]), .blob([]))
    }

    func testOptionalsBindNullOrTheWrappedValue() throws {
        let none: Int64? = nil
        let some: String? = "v"
        XCTAssertEqual(try roundTrip(none), .null)
        XCTAssertEqual(try roundTrip(some), .text("v"))
        XCTAssertEqual(try roundTrip(nil), .null)
        XCTAssertEqual(Optional<Int64>.none.sqlValue, .null)
        XCTAssertEqual(Optional(Int64(3)).sqlValue, .integer(3))
    }

    func testUInt64AboveInt64MaxKeepsItsBitPattern() throws {
        // The run_id Flower stores as -4027269956558665058.
        let runID: UInt64 = 14_419_474_117_150_886_558
        XCTAssertEqual(runID.sqlValue, .integer(-4_027_269_956_558_665_058))
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        let row = try db.writeBlocking { conn in
            try conn.execute("INSERT INTO kv (k, v) VALUES ('id', ?)", runID)
            return try conn.queryOne("SELECT v FROM kv WHERE v = ?", runID)
        }
        XCTAssertEqual(row?.int64(0), -4_027_269_956_558_665_058)
        XCTAssertEqual(row?.uint64(0), runID)
        XCTAssertEqual(Row([.integer(-1)]).uint64(0), UInt64.max)
        XCTAssertEqual(Row([.integer(5)]).uint64(0), 5)
    }

    func testRowAccessorsFollowAffinityConveniences() {
        let row = Row([.integer(3), .real(2.0), .real(2.5), .text("t"), .blob([9]), .null])
        XCTAssertEqual(row.count, 6)
        XCTAssertEqual(row.int64(0), 3)
        XCTAssertEqual(row.double(0), 3.0, "double accepts INTEGER")
        XCTAssertEqual(row.int64(1), 2, "int64 accepts an integral REAL")
        XCTAssertNil(row.int64(2), "a fractional REAL is not an integer")
        XCTAssertEqual(row.string(3), "t")
        XCTAssertNil(row.string(4))
        XCTAssertEqual(row.blob(4), [9])
        XCTAssertNil(row.blob(3))
        XCTAssertNil(row.int64(5))
        XCTAssertTrue(row.isNull(5))
        XCTAssertEqual(row.bool(0), true)
        XCTAssertEqual(row.int(0), 3)
    }

    func testArrayArgumentsBindLikeVariadicOnes() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        let rows = try db.writeBlocking { conn in
            let args: [SQLBindable?] = ["a", [1, 2] as [UInt8]]
            try conn.execute("INSERT INTO kv (k, v) VALUES (?, ?)", args)
            return try conn.query("SELECT k, v FROM kv WHERE k = ?", ["a"])
        }
        XCTAssertEqual(rows, [Row([.text("a"), .blob([1, 2])])])
    }

    func testSeveralStatementsInExecuteAreRefusedNotTruncated() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        XCTAssertThrowsError(try db.writeBlocking { conn in
            try conn.execute("INSERT INTO kv (k) VALUES ('a'); INSERT INTO kv (k) VALUES ('b')")
        }) { XCTAssertEqual(($0 as? SQLError)?.code, 21, "SQLITE_MISUSE") }
        try db.writeBlocking { conn in try conn.execute("INSERT INTO kv (k) VALUES ('c');  -- trailing comment\n") }
        XCTAssertEqual(try db.readBlocking { try $0.queryOne("SELECT count(*) FROM kv")?.int64(0) }, 1)
    }

    func testWrongParameterCountIsAnError() throws {
        let db = try Database.openInMemory(migrator: scratchMigrator)
        defer { db.close() }
        XCTAssertThrowsError(try db.writeBlocking { conn in try conn.execute("INSERT INTO kv (k, v) VALUES (?, ?)", "only one") }) {
            XCTAssertEqual(($0 as? SQLError)?.code, 25, "SQLITE_RANGE")
        }
    }
}
