import Foundation
import XCTest

@testable import SQL

/// The migrations reproduce Flower 1.28's schema exactly, and files move both ways.
final class FlowerSchemaTests: XCTestCase {
    private let baselineOnly = Migrator(
        migrations: [FlowerStateSchema.migrations[0]], versionTable: .alembic)

    private func version(_ path: String) throws -> [String] {
        try readOnlyQuery(path, "SELECT version_num FROM alembic_version").compactMap { $0.string(0) }
    }

    func testRevisionChainIsFlowers() {
        XCTAssertEqual(FlowerStateSchema.migrations.map(\.id), ["8e65d8ae60b0", "c8f4f6e2c1ad", "795243e997d8"])
        XCTAssertEqual(Migrator.flowerStateMigrator.head, "795243e997d8")
        XCTAssertEqual(Migrator.flowerStateMigrator.adoptableBaseline, "8e65d8ae60b0")
        XCTAssertEqual(Migrator.flowerStateMigrator.versionTable, .alembic)
    }

    func testFreshFileHasExactlyFlowersSchema() throws {
        let dir = try TempDir()
        let path = dir.path("state.db")
        let db = try Database.open(path: path, migrator: .flowerStateMigrator)
        db.close()
        let actual = try masterEntries(path)
        XCTAssertEqual(actual, FlowerSchemaDump.head, describeDifferences(actual, FlowerSchemaDump.head))
        XCTAssertEqual(try version(path), ["795243e997d8"])
    }

    func testInMemoryDatabaseHasTheSameSchema() throws {
        let db = try Database.openInMemory(migrator: .flowerStateMigrator)
        defer { db.close() }
        let actual = try db.readBlocking { conn in
            try conn.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").map {
                MasterEntry(type: $0.string(0)!, name: $0.string(1)!, table: $0.string(2)!, sql: $0.string(3))
            }
        }
        XCTAssertEqual(actual, FlowerSchemaDump.head, describeDifferences(actual, FlowerSchemaDump.head))
    }

    func testBaselineMigrationAloneMatchesFlowersBaseline() throws {
        let dir = try TempDir()
        let path = dir.path("base.db")
        try Database.open(path: path, migrator: baselineOnly).close()
        let actual = try masterEntries(path)
        XCTAssertEqual(actual, FlowerSchemaDump.baseline, describeDifferences(actual, FlowerSchemaDump.baseline))
        XCTAssertEqual(try version(path), ["8e65d8ae60b0"])
    }

    /// Builds a baseline-revision file holding three runs with different `federation_options`.
    private func baselineFileWithRuns(_ path: String) throws {
        let db = try Database.open(path: path, migrator: baselineOnly)
        defer { db.close() }
        try db.writeBlocking { conn in
            try conn.execute("INSERT INTO run (run_id, federation_options) VALUES (1, ?)", [0x0A, 0x01] as [UInt8])
            try conn.execute("INSERT INTO run (run_id, federation_options) VALUES (2, ?)", [] as [UInt8])
            try conn.execute("INSERT INTO run (run_id, federation_options) VALUES (3, NULL)")
        }
    }

    private func runTypes(_ path: String) throws -> [String] {
        try readOnlyQuery(path, "SELECT run_id, run_type, quote(federation_config), quote(usage_reported_at) FROM run ORDER BY run_id")
            .map { "\($0.int64(0)!):\($0.string(1)!):\($0.string(2)!):\($0.string(3)!)" }
    }

    func testUpgradeFromBaselineGivesFlowersHeadSchemaAndData() throws {
        let dir = try TempDir()
        let path = dir.path("old.db")
        try baselineFileWithRuns(path)
        try Database.open(path: path, migrator: .flowerStateMigrator).close()
        let actual = try masterEntries(path)
        XCTAssertEqual(actual, FlowerSchemaDump.head, describeDifferences(actual, FlowerSchemaDump.head))
        XCTAssertEqual(try version(path), ["795243e997d8"])
        // As Flower's c8f4f6e2c1ad does: non-empty federation_options ⇒ simulation.
        XCTAssertEqual(try runTypes(path), ["1:simulation:NULL:''", "2:serverapp:NULL:''", "3:serverapp:NULL:''"])
    }

    func testPreAlembicDatabaseIsStampedAndUpgraded() throws {
        let dir = try TempDir()
        let path = dir.path("pre.db")
        try baselineFileWithRuns(path)
        let raw = try Connection.openUnmanaged(path: path)
        // Extra tables and columns are allowed, as in Flower (only missing ones count).
        try raw.executeScript("DROP TABLE alembic_version; CREATE TABLE extra (x); ALTER TABLE node ADD COLUMN note VARCHAR;")
        raw.close()

        try Database.open(path: path, migrator: .flowerStateMigrator).close()
        XCTAssertEqual(try version(path), ["795243e997d8"])
        XCTAssertEqual(try runTypes(path), ["1:simulation:NULL:''", "2:serverapp:NULL:''", "3:serverapp:NULL:''"])
        let ddl = Set(try masterEntries(path).filter { $0.table != "extra" }.map { $0.name })
        XCTAssertEqual(ddl, Set(FlowerSchemaDump.head.map(\.name)))
    }

    func testFlowerMadeStateDBOpensAndNothingChanges() throws {
        let dir = try TempDir()
        let path = dir.path("state.db")
        try FileManager.default.copyItem(atPath: fixturePath("flower-1.28-state.db"), toPath: path)
        let before = try fileBytes(path)
        let mtime = try modificationDate(path)

        let db = try Database.open(path: path, migrator: .flowerStateMigrator)
        let run = try db.readBlocking { conn in
            try conn.queryOne("SELECT run_id, fab_id, federation, run_type, usage_reported_at FROM run")
        }
        db.close()

        // The run the real `flwr run` created: its uint64 ID is ≥ 2^63, stored negative.
        XCTAssertEqual(run?.uint64(0), 14_159_824_239_562_156_657)
        XCTAssertEqual(run?.int64(0), -4_286_919_834_147_394_959)
        XCTAssertEqual(run?.string(1), "sepal/tinyapp")
        XCTAssertEqual(run?.string(2), "@none/default")
        XCTAssertEqual(run?.string(3), "serverapp")
        XCTAssertEqual(run?.string(4), "")
        XCTAssertEqual(try fileBytes(path), before, "opening an up-to-date Flower file must not change it")
        XCTAssertEqual(try modificationDate(path), mtime)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted(), ["state.db"],
            "no -wal/-shm left behind after close")
        XCTAssertEqual(try masterEntries(path), FlowerSchemaDump.head)
    }

    /// The reverse direction, with the real Flower: its Alembic sees no difference between its
    /// models and a Sepal-made file, and `flower-superlink` starts on it without migrating.
    func testSepalMadeDatabaseIsAcceptedByRealFlower() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let venv = ProcessInfo.processInfo.environment["SEPAL_VENV"].map { $0 + "/bin" }
            ?? repo.appendingPathComponent(".venv/bin").path
        guard FileManager.default.isExecutableFile(atPath: "\(venv)/flower-superlink") else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("no Flower 1.28 virtualenv at \(venv): run scripts/venv.sh")
            }
            throw XCTSkip("no Flower 1.28 virtualenv at \(venv) (run scripts/venv.sh)")
        }
        let dir = try TempDir()
        let path = dir.path("state.db")
        try Database.open(path: path, migrator: .flowerStateMigrator).close()
        let before = try fileBytes(path)

        let check = try runProcess("\(venv)/python", ["-c", """
            import sqlalchemy as sa
            from alembic.migration import MigrationContext
            from alembic.autogenerate import compare_metadata
            from flwr.supercore.state.alembic.utils import get_combined_metadata, run_migrations
            eng = sa.create_engine("sqlite:///\(path)")
            run_migrations(eng)
            with eng.connect() as c:
                mc = MigrationContext.configure(c)
                print(mc.get_current_revision(), compare_metadata(mc, get_combined_metadata()))
            """], timeout: 60)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "795243e997d8 []")

        let superlink = try startProcess("\(venv)/flower-superlink", [
            "--insecure", "--database", path, "--storage-dir", dir.path("ffs"), "--isolation", "process",
            "--serverappio-api-address", "127.0.0.1:0", "--fleet-api-address", "127.0.0.1:0",
            "--control-api-address", "127.0.0.1:0",
        ], environment: ["FLWR_HOME": dir.path("home"), "FLWR_DISABLE_UPDATE_CHECK": "1"])
        defer { superlink.terminate() }
        let started = superlink.waitForOutput(containing: "Starting Fleet API", timeout: 60)
        superlink.terminate()
        XCTAssertTrue(started, "flower-superlink did not start on a Sepal-made state.db:\n\(superlink.output)")
        XCTAssertEqual(try fileBytes(path), before, "Flower found nothing to migrate")
        XCTAssertEqual(try masterEntries(path), FlowerSchemaDump.head)
    }
}
