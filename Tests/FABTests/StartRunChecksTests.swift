import FAB
import XCTest

/// Each case was sent to a real Flower 1.28 SuperLink's StartRun (grpcio); the expected
/// (code, detail) pairs below are what it answered. See Sources/FAB/README.md.
final class StartRunChecksTests: XCTestCase {
    private let minimal = Fixtures.minimalPyproject
    private static let help = "\\n\\n\\nThe object reference string should have the form <module>:<attribute>. Valid\\nexamples include `client:app` and `project.package.module:wrapper.app`. It must\\nrefer to a module on the PYTHONPATH and the module needs to have the specified\\nattribute.\\n"

    private func expect(_ content: [UInt8], _ code: Int?, _ detail: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try FAB(content: content)
            XCTFail("accepted; expected \(detail)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, detail, file: file, line: line)
            XCTAssertEqual(error.grpcStatusCode, code, file: file, line: line)
        }
    }

    private func expect(pyproject: String, _ code: Int?, _ detail: String, file: StaticString = #filePath, line: UInt = #line) {
        expect(Fixtures.fab(pyproject), code, detail, file: file, line: line)
    }

    private func accept(_ pyproject: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try FAB(content: Fixtures.fab(pyproject)), file: file, line: line)
    }

    func testContainerErrors() {
        expect(Array("hello, not a zip".utf8), 2, "Exception calling application: File is not a zip file")
        expect([], 2, "Exception calling application: File is not a zip file")
        var zip = ZipBuilder()
        zip.add("a.py", "x")
        expect(zip.build(), 2, "Exception calling application: \"There is no item named 'pyproject.toml' in the archive\"")
        zip = ZipBuilder()
        zip.add("sub/pyproject.toml", minimal)
        zip.add("./pyproject.toml", minimal)
        expect(zip.build(), 2, "Exception calling application: \"There is no item named 'pyproject.toml' in the archive\"")
    }

    func testTooLargeGivesNoStatus() {
        let big = [UInt8](repeating: 0, count: 10 * 1024 * 1024 + 1)
        XCTAssertThrowsError(try FAB(content: big)) { error in
            XCTAssertEqual(error as? FABError, .tooLarge(size: big.count, limit: 10 * 1024 * 1024))
            XCTAssertNil((error as? FABError)?.grpcStatusCode)
        }
        // Exactly 10 MiB is not "too large": it fails later as a non-zip.
        expect([UInt8](repeating: 0, count: 10 * 1024 * 1024), 2, "Exception calling application: File is not a zip file")
    }

    func testTextErrors() {
        expect(pyproject: "[project\nname=", 9, "Invalid TOML content in pyproject.toml")
        expect(pyproject: minimal + "[tool.flwr.app.config]\na=1\na=2\n", 9, "Invalid TOML content in pyproject.toml")
        expect(pyproject: "\u{FEFF}" + minimal, 9, "Invalid TOML content in pyproject.toml")
        var zip = ZipBuilder()
        zip.add("pyproject.toml", bytes: Array("[project]\nname='".utf8) + [0xFF] + Array("'\n".utf8))
        expect(zip.build(), 9, "'utf-8' codec can't decode byte 0xff in position 16: invalid start byte")
        accept(minimal.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testMissingSectionsAndProperties() {
        func drop(_ line: String, from text: String) -> String { text.replacingOccurrences(of: line + "\n", with: "") }
        expect(pyproject: drop("name='tinyapp'", from: minimal), 9, "['Property \"name\" missing in [project]']")
        expect(pyproject: drop("version='1.0.0'", from: minimal), 9, "['Property \"version\" missing in [project]']")
        expect(pyproject: drop("publisher='p'", from: minimal), 9, "['Property \"publisher\" missing in [tool.flwr.app]']")
        expect(pyproject: drop("serverapp='a:b'", from: minimal), 9, "['Property \"serverapp\" missing in [tool.flwr.app.components]']")
        expect(pyproject: drop("clientapp='a:b'", from: minimal), 9, "['Property \"clientapp\" missing in [tool.flwr.app.components]']")
        expect(pyproject: "[tool.flwr.app]\npublisher='p'\n[tool.flwr.app.components]\nserverapp='a:b'\nclientapp='a:b'\n", 9,
               "['Missing [project] section']")
        expect(pyproject: "[project]\nname='tinyapp'\nversion='1.0.0'\n", 9, "['Missing [tool.flwr.app] section']")
        expect(pyproject: "[project]\nname='tinyapp'\nversion='1.0.0'\n[tool.x]\na=1\n", 9, "['Missing [tool.flwr.app] section']")
        expect(pyproject: "[project]\nname='tinyapp'\nversion='1.0.0'\n[tool.flwr.app]\npublisher='p'\n", 9,
               "['Missing [tool.flwr.app.components] section']")
        expect(pyproject: "", 9, "['Missing [project] section', 'Missing [tool.flwr.app] section']")
        expect(pyproject: "[tool.flwr.app]\npublisher='p'\n", 9, "['Missing [project] section', 'Missing [tool.flwr.app.components] section']")
        expect(pyproject: drop("publisher='p'", from: drop("name='tinyapp'", from: minimal)), 9,
               "['Property \"name\" missing in [project]', 'Property \"publisher\" missing in [tool.flwr.app]']")
        expect(pyproject: drop("clientapp='a:b'", from: drop("serverapp='a:b'", from: minimal)), 9,
               "['Property \"serverapp\" missing in [tool.flwr.app.components]', 'Property \"clientapp\" missing in [tool.flwr.app.components]']")
        // Missing properties are reported before a bad reference.
        expect(pyproject: drop("clientapp='a:b'", from: minimal.replacingOccurrences(of: "serverapp='a:b'", with: "serverapp='zz'")), 9,
               "['Property \"clientapp\" missing in [tool.flwr.app.components]']")
    }

    func testComponentReferences() {
        func with(serverapp: String) -> String { minimal.replacingOccurrences(of: "serverapp='a:b'", with: "serverapp=\(serverapp)") }
        expect(pyproject: with(serverapp: "'tinyapp.server_app'"), 9, "['Missing attribute in tinyapp.server_app" + Self.help + "']")
        expect(pyproject: with(serverapp: "':b'"), 9, "['Missing module in :b" + Self.help + "']")
        expect(pyproject: with(serverapp: "'a:'"), 9, "['Missing attribute in a:" + Self.help + "']")
        expect(pyproject: with(serverapp: "''"), 9, "['Missing module in " + Self.help + "']")
        for ok in ["'a b:c'", "'a:b:c'", "'a.b.c:d.e'", "'1a:b'", "'a-b:c'"] { accept(with(serverapp: ok)) }
        expect(pyproject: minimal.replacingOccurrences(of: "clientapp='a:b'", with: "clientapp='x'")
            .replacingOccurrences(of: "serverapp='a:b'", with: "serverapp='y'"), 9, "['Missing attribute in y" + Self.help + "']")
        expect(pyproject: with(serverapp: "1"), 2, "Exception calling application: 'int' object has no attribute 'partition'")
        expect(pyproject: with(serverapp: "['a:b']"), 2, "Exception calling application: 'list' object has no attribute 'partition'")
        expect(pyproject: with(serverapp: "1979-05-27T07:32:00Z"), 2,
               "Exception calling application: 'datetime.datetime' object has no attribute 'partition'")
        expect(pyproject: minimal.replacingOccurrences(of: "clientapp='a:b'", with: "clientapp=3.5"), 2,
               "Exception calling application: 'float' object has no attribute 'partition'")
    }

    func testLooseTypesAccepted() {
        let fab = try? FAB(content: Fixtures.fab(minimal.replacingOccurrences(of: "name='tinyapp'", with: "name=1")))
        XCTAssertEqual(fab?.app.name, "1")
        XCTAssertEqual(fab?.app.fabID, "p/1")
        for text in [minimal.replacingOccurrences(of: "name='tinyapp'", with: "name='Tiny App'"),
                     minimal.replacingOccurrences(of: "publisher='p'", with: "publisher=''"),
                     minimal.replacingOccurrences(of: "version='1.0.0'", with: "version=1")] {
            accept(text)
        }
    }

    func testConfigValueTypes() {
        let message = "The value for key %@ needs to be of type `int`, `float`, `bool, `str`, or  a `dict` of those."
        func msg(_ key: String) -> String { message.replacingOccurrences(of: "%@", with: key) }
        expect(pyproject: minimal + "[tool.flwr.app.config]\nmodel=[1,2]\n", 9, msg("model"))
        expect(pyproject: minimal + "[tool.flwr.app.config]\nwhen=1979-05-27T07:32:00Z\n", 9, msg("when"))
        expect(pyproject: minimal + "[tool.flwr.app.config]\n[tool.flwr.app.config.x]\narr=[1]\n", 9, msg("arr"))
        expect(pyproject: minimal + "[tool.flwr.app.config]\na=[1]\nb=[2]\n", 9, msg("a"))
        // The config check runs before the required-property check.
        expect(pyproject: minimal.replacingOccurrences(of: "name='tinyapp'\n", with: "") + "[tool.flwr.app.config]\na=[1]\n", 9, msg("a"))
        expect(pyproject: "[tool.flwr.app.config]\na=[1]\n", 9, msg("a"))
        expect(pyproject: minimal.replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nconfig=5"), 2,
               "Exception calling application: 'int' object has no attribute 'items'")
        expect(pyproject: "project=5\n[tool.flwr.app]\npublisher='p'\n[tool.flwr.app.components]\nserverapp='a:b'\nclientapp='a:b'\n", 2,
               "Exception calling application: argument of type 'int' is not iterable")
        expect(pyproject: "[project]\nname='tinyapp'\nversion='1.0.0'\n[tool.flwr.app]\npublisher='p'\ncomponents=5\n", 2,
               "Exception calling application: argument of type 'int' is not iterable")
    }

    func testOverrideKeys() throws {
        let fab = try FAB(content: Fixtures.load(Fixtures.flwrBuiltFABName))
        XCTAssertNoThrow(try fab.app.validateOverrideKeys(["num-server-rounds", "nested.depth"]))
        for key in ["nope", "nested"] {
            XCTAssertThrowsError(try fab.app.validateOverrideKeys([key])) { error in
                XCTAssertEqual((error as? FABError)?.description, "Key '\(key)' is not present in the main dictionary")
                XCTAssertEqual((error as? FABError)?.grpcStatusCode, 9)
            }
        }
        let empty = try FAB(content: Fixtures.fab(minimal + "[tool.flwr.app.config]\nx={}\n"))
        XCTAssertTrue(empty.app.config.isEmpty)
        XCTAssertThrowsError(try empty.app.validateOverrideKeys(["x"]))
    }

    func testFABFormatVersion() {
        func v1(app: String = "", project: String = "") -> String {
            minimal.replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nfab-format-version=1" + app)
                .replacingOccurrences(of: "version='1.0.0'", with: "version='1.0.0'" + project)
        }
        let target = "\nflwr-version-target='1.28.0'"
        let license = "\nlicense={file='LICENSE'}"
        let dep = "\ndependencies=['flwr>=1.20']"
        for bad in ["-1", "'1'", "true"] {
            expect(pyproject: minimal.replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nfab-format-version=\(bad)"), 9,
                   "['Invalid [tool.flwr.app].fab-format-version: expected a non-negative integer.']")
        }
        expect(pyproject: minimal.replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nfab-format-version=2"), 9,
               "['Unsupported [tool.flwr.app].fab-format-version: 2.']")
        accept(minimal.replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nfab-format-version=0\nflwr-version-target='1.0'"))
        expect(pyproject: v1(), 9, "['Missing [tool.flwr.app].flwr-version-target for fab-format-version >= 1.']")
        expect(pyproject: v1(app: "\nflwr-version-target=1"), 9, "['Invalid [tool.flwr.app].flwr-version-target: expected a string.']")
        expect(pyproject: v1(app: "\nflwr-version-target='abc'"), 9, "['Invalid [tool.flwr.app].flwr-version-target: expected a valid version.']")
        expect(pyproject: v1(app: target), 9,
               "['fab-format-version = 1 requires [project].license to be { file = \"LICENSE\" } or { file = \"LICENSE.md\" }.']")
        expect(pyproject: v1(app: target, project: "\nlicense='MIT'" + dep), 9,
               "['fab-format-version = 1 requires [project].license to be { file = \"LICENSE\" } or { file = \"LICENSE.md\" }.']")
        expect(pyproject: v1(app: target, project: "\nlicense={text='MIT'}" + dep), 9,
               "['fab-format-version = 1 requires [project].license to reference a root-level license file, not inline text.']")
        expect(pyproject: v1(app: target, project: "\nlicense={file='COPYING'}" + dep), 9,
               "['fab-format-version = 1 requires [project].license.file to be \"LICENSE\" or \"LICENSE.md\".']")
        expect(pyproject: v1(app: target, project: license), 9,
               "['Missing \"flwr\" dependency in [project].dependencies for fab-format-version >= 1.']")
        expect(pyproject: v1(app: target, project: license + "\ndependencies=['Flwr>=1.0']"), 9,
               "['Missing \"flwr\" dependency in [project].dependencies for fab-format-version >= 1.']")
        expect(pyproject: v1(app: target, project: license + "\ndependencies='flwr>=1.0'"), 9,
               "['Invalid [project].dependencies: expected a list containing a \"flwr\" dependency declaration.']")
        expect(pyproject: v1(app: target, project: license + "\ndependencies=['numpy','flwr>=1.0','flwr>=1.29']"), 9,
               "['Multiple \"flwr\" dependency declarations are not supported.']")
        for spec in ["flwr", "flwr==1.20", "flwr~=1.20", "flwr>1.20"] {
            expect(pyproject: v1(app: target, project: license + "\ndependencies=['\(spec)']"), 9,
                   "['Invalid \"flwr\" dependency specifier: an inclusive lower bound declared with \">=\" is required for fab-format-version = 1.']")
        }
        let tooLow = "['Invalid [tool.flwr.app].flwr-version-target: must be greater than or equal to the declared \"flwr\" dependency lower bound.']"
        expect(pyproject: v1(app: "\nflwr-version-target='1.10.0'", project: license + dep), 9, tooLow)
        expect(pyproject: v1(app: "\nflwr-version-target='1.28.0rc1'", project: license + "\ndependencies=['flwr>=1.28.0']"), 9, tooLow)
        accept(v1(app: target, project: license + dep))
        accept(v1(app: target, project: "\nlicense={file='LICENSE.md'}" + dep))
        accept(v1(app: target, project: license + "\ndependencies=['flwr[simulation]>=1.20']"))
        accept(v1(app: target, project: license + "\ndependencies=['flwr>=1.20,<2.0']"))
        accept(v1(app: target, project: license + "\ndependencies=['flwr>=1.0; python_version>\"3.8\"']"))
        accept(v1(app: "\nflwr-version-target='1.20'", project: license + "\ndependencies=['flwr>=1.20.0']"))
        accept(v1(app: "\nflwr-version-target='v1.28'", project: license + "\ndependencies=['flwr>=1.0']"))
        // The target must also satisfy the whole specifier set (packaging's SpecifierSet.contains).
        let unsatisfied = "['Invalid [tool.flwr.app].flwr-version-target: must satisfy the declared \"flwr\" dependency specifier.']"
        let satisfaction: [(String, String, Bool)] = [
            ("flwr>=1.28", "1.29.0rc1", false), ("flwr>=1.28rc1", "1.29.0rc1", true), ("flwr>=1.28,!=1.28.5", "1.28.5", false),
            ("flwr>=1.0,==1.28.*", "1.28.1", true), ("flwr>=1.0,==1.28.*", "1.29", false), ("flwr>=1.0,<1.28", "1.28", false),
            ("flwr>=1.0,>1.28", "1.28.0.post1", false), ("flwr>=1.0,>1.28", "1.28.1", true), ("flwr>=1.0,<1.29", "1.29.0rc1", false),
            ("flwr>=1.0,~=1.20", "1.28", true), ("flwr>=1.0,~=1.20.0", "1.28", false), ("flwr>=1.0,==1.28", "1.28.0", true),
            ("flwr>=1.0,===1.28", "1.28", true), ("flwr>=1.0,===1.28", "1.28.0", false), ("flwr>=1.0,<=1.28", "1.28.0.post1", false),
            ("flwr>=1.0", "1.28.0+local", true), ("flwr>=1.0,==1.28", "1.28+local", true), ("flwr>=1.0,<1.28.0", "1.28.0.dev1", false),
            ("flwr>=1.0.dev1", "1.1.dev1", true), ("flwr<=1.0,>=0.5", "1.28.0", false),
        ]
        for (spec, version, ok) in satisfaction {
            let text = v1(app: "\nflwr-version-target='\(version)'", project: license + "\ndependencies=['\(spec)']")
            if ok { accept(text) } else { expect(pyproject: text, 9, unsatisfied) }
        }
        expect(pyproject: v1(app: "\nflwr-version-target='1.2'", project: license + "\ndependencies=['flwr>=1.0,>=1.5']"), 9, tooLow)

        // Dependencies are parsed for every FAB (fab-format-version 0 too), with packaging's errors.
        func deps(_ list: String, _ base: String? = nil) -> String {
            (base ?? minimal).replacingOccurrences(of: "version='1.0.0'", with: "version='1.0.0'\ndependencies=\(list)")
        }
        expect(pyproject: deps("['flwr>=1..8']"), 9,
               "['Invalid dependency declaration \"flwr>=1..8\": Expected end or semicolon (after version specifier)\\n    flwr>=1..8\\n        ~~~^']")
        expect(pyproject: deps("['numpy>=1..8']"), 9,
               "['Invalid dependency declaration \"numpy>=1..8\": Expected end or semicolon (after version specifier)\\n    numpy>=1..8\\n         ~~~^']")
        expect(pyproject: deps("['fl wr']"), 9,
               "['Invalid dependency declaration \"fl wr\": Expected end or semicolon (after name and no valid version specifier)\\n    fl wr\\n       ^']")
        expect(pyproject: deps("['-flwr']"), 9,
               "['Invalid dependency declaration \"-flwr\": Expected package name at the start of dependency specifier\\n    -flwr\\n    ^']")
        expect(pyproject: deps("['flwr>=1.0;']"), 9,
               "['Invalid dependency declaration \"flwr>=1.0;\": Expected a marker variable or quoted string\\n    flwr>=1.0;\\n              ^']")
        expect(pyproject: deps("'flwr>=1.0'"), 9, "['Invalid [project].dependencies: expected a list containing a \"flwr\" dependency declaration.']")
        expect(pyproject: deps("[5]"), 9, "['Invalid [project].dependencies: dependency entries must be strings.']")
        expect(pyproject: deps("['flwr>=1.0','flwr>=1.2']"), 9, "['Multiple \"flwr\" dependency declarations are not supported.']")
        for ok in ["['flwr']", "['flwr==1.0']", "['flwr @ https://x/y.whl']", "['flwr >= 1.0 , < 2', 'numpy (>=1.2)']"] { accept(deps(ok)) }
        // Order: fab-format-version, then dependencies, then references.
        expect(pyproject: deps("['flwr>=1..8']", minimal.replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nfab-format-version=2")), 9,
               "['Unsupported [tool.flwr.app].fab-format-version: 2.']")
        expect(pyproject: deps("['x y']", minimal.replacingOccurrences(of: "serverapp='a:b'", with: "serverapp='zz'")), 9,
               "['Invalid dependency declaration \"x y\": Expected end or semicolon (after name and no valid version specifier)\\n    x y\\n      ^']")

        // fab-format-version problems win over bad references.
        expect(pyproject: minimal.replacingOccurrences(of: "serverapp='a:b'", with: "serverapp='zz'")
            .replacingOccurrences(of: "publisher='p'", with: "publisher='p'\nfab-format-version=-1"), 9,
               "['Invalid [tool.flwr.app].fab-format-version: expected a non-negative integer.']")
    }

    func testZipDefectsWithPythonMessages() throws {
        let good = Fixtures.fab(minimal)
        // Local header magic of the first entry (pyproject.toml).
        var badLocal = good
        badLocal[2] = 9
        expect(badLocal, 2, "Exception calling application: Bad magic number for file header")
        let end = endRecordOffset(good)
        let cdOffset = Int(good[end + 16]) | Int(good[end + 17]) << 8
        var badCentral = good
        badCentral[cdOffset + 2] = 9
        expect(badCentral, 2, "Exception calling application: Bad magic number for central directory")
        expect(Array(good.dropLast(10)), 2, "Exception calling application: File is not a zip file")
        expect(Array(good.prefix(good.count / 2)), 2, "Exception calling application: File is not a zip file")
        var badCRC = good
        let at = try XCTUnwrap(firstRange(of: "[project]", in: good))
        badCRC[at + 8] = UInt8(ascii: "T")
        expect(badCRC, 2, "Exception calling application: Bad CRC-32 for file 'pyproject.toml'")
        var farOffset = good
        patch32(&farOffset, at: end + 16, 999_999)
        expect(farOffset, 9, "negative seek value \(-999_999 + cdOffset)")
        var hugeCD = good
        patch32(&hugeCD, at: end + 12, 999_999)
        expect(hugeCD, 2, "Exception calling application: Bad offset for central directory")
        var corruptDeflate = ZipBuilder()
        corruptDeflate.entries.append(.init(name: "pyproject.toml", data: [0xFF, 0xFF, 0xFF, 0xFF], method: 8))
        expect(corruptDeflate.build(), 2, "Exception calling application: Error -3 while decompressing data: invalid block type")
        // Python reads bzip2 too; we do not (no libbz2 shim).
        var bzip = ZipBuilder()
        bzip.entries.append(.init(name: "pyproject.toml", data: Array(minimal.utf8), method: 12))
        expect(bzip.build(), 2, "Exception calling application: That compression method is not supported")
    }

    func testAcceptedVariants() throws {
        XCTAssertNoThrow(try FAB(content: Fixtures.fab(minimal, deflate: true)))
        var junk = ZipBuilder()
        junk.prefix = Array(repeating: UInt8(ascii: "J"), count: 40)
        junk.add("pyproject.toml", minimal)
        XCTAssertNoThrow(try FAB(content: junk.build()), "prepended data is tolerated")
        // CRC errors in entries other than pyproject.toml are not noticed (not read).
        var other = ZipBuilder()
        other.add("pyproject.toml", minimal)
        other.entries.append(.init(name: "a.py", data: [1, 2, 3], crc: 1234))
        XCTAssertNoThrow(try FAB(content: other.build()))
        // Duplicate names: the last one wins.
        var dup = ZipBuilder()
        dup.add("pyproject.toml", "[x")
        dup.add("pyproject.toml", minimal)
        XCTAssertNoThrow(try FAB(content: dup.build()))
        dup.entries.reverse()
        expect(dup.build(), 9, "Invalid TOML content in pyproject.toml")
    }
}

func firstRange(of text: String, in bytes: [UInt8]) -> Int? {
    let needle = Array(text.utf8)
    guard bytes.count >= needle.count else { return nil }
    return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
}
