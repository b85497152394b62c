import FAB
import XCTest

final class FABTests: XCTestCase {
    func testFlwrBuiltFAB() throws {
        let bytes = Fixtures.load(Fixtures.flwrBuiltFABName)
        let fab = try FAB(content: bytes)
        XCTAssertEqual(fab.hashHex, Fixtures.flwrBuiltFABHash)
        XCTAssertTrue(Fixtures.flwrBuiltFABName.contains(String(fab.hashHex.prefix(8))))
        XCTAssertEqual(fab.app.name, "tinyapp")
        XCTAssertEqual(fab.app.version, "1.0.0")
        XCTAssertEqual(fab.app.publisher, "sepal")
        XCTAssertEqual(fab.app.fabID, "sepal/tinyapp")
        XCTAssertEqual(fab.app.serverApp, "tinyapp.server_app:app")
        XCTAssertEqual(fab.app.clientApp, "tinyapp.client_app:app")
        XCTAssertEqual(fab.app.config.map(\.key), [
            "num-server-rounds", "fraction-train", "local-epochs", "lr", "use-gpu", "model", "nested.depth", "nested.name",
        ])
        XCTAssertEqual(fab.app.config.map(\.value), [
            .int(2), .double(0.5), .int(1), .double(0.01), .bool(false), .string("tiny"), .int(3), .string("deep"),
        ])
        XCTAssertNoThrow(try fab.verifyContentManifest())
    }

    func testContentManifestMismatchIsOnlyReportedOnRequest() throws {
        let pyproject = Fixtures.minimalPyproject
        var zip = ZipBuilder()
        zip.add("pyproject.toml", pyproject)
        zip.add("a.py", "x = 1\n")
        zip.add(".info/CONTENT", "pyproject.toml,\(String(repeating: "0", count: 64)),8\n")
        // Flower's StartRun does not check the manifest, so neither does FAB.init.
        let fab = try FAB(content: zip.build())
        XCTAssertThrowsError(try fab.verifyContentManifest()) { error in
            XCTAssertEqual(error as? FABError, .contentMismatch(path: "pyproject.toml"))
        }
        XCTAssertNoThrow(try FAB(content: Fixtures.fab(pyproject)).verifyContentManifest(), "no manifest: nothing to check")
    }

    func testFlattenedConfigKeepsFirstPositionOnDuplicates() throws {
        let app = try FlowerAppConfig(pyprojectTOML: Fixtures.minimalPyproject + "[tool.flwr.app.config]\n\"a.b\" = 1\nz = 0\na = { b = 2 }\n")
        XCTAssertEqual(app.config.map(\.key), ["a.b", "z"])
        XCTAssertEqual(app.config.first?.value, .int(2))
    }
}
