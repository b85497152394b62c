import FAB
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class FABStoreTests: XCTestCase {
    private var root = ""

    override func setUp() {
        var template = Array("/tmp/sepal-fabstore-XXXXXX".utf8CString)
        root = String(cString: mkdtemp(&template)!)
    }

    override func tearDown() {
        _ = system("rm -rf '\(root)'")
    }

    private func files(in directory: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        guard let dir = opendir(directory) else { return out }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." { continue }
            out[name] = Fixtures.loadAbsolute(directory + "/" + name)
        }
        return out
    }

    func testLayoutMatchesFlower() throws {
        let store = try FABStore(directory: root + "/a/b/ffs")
        let content = Fixtures.load(Fixtures.flwrBuiltFABName)
        let hash = try store.put(content)
        XCTAssertEqual(hash, Fixtures.flwrBuiltFABHash)
        // Exactly what flower-superlink 1.28 leaves in --storage-dir after `flwr run`.
        XCTAssertEqual(files(in: root + "/a/b/ffs"), [hash: content, hash + ".META": Array("{}".utf8)])
        XCTAssertEqual(store.get(hash), content)
        XCTAssertEqual(store.verifications(hash), [:])
        // Idempotent.
        XCTAssertEqual(try store.put(content), hash)
        XCTAssertEqual(files(in: root + "/a/b/ffs").count, 2)
    }

    func testOpensADirectoryWrittenByFlower() throws {
        let content = Fixtures.load(Fixtures.flwrBuiltFABName)
        let dir = root + "/flower"
        XCTAssertEqual(mkdir(dir, 0o755), 0)
        Fixtures.write(dir + "/" + Fixtures.flwrBuiltFABHash, content)
        Fixtures.write(dir + "/" + Fixtures.flwrBuiltFABHash + ".META", Array("{}".utf8))
        let store = try FABStore(directory: dir)
        XCTAssertEqual(store.get(Fixtures.flwrBuiltFABHash), content)
        XCTAssertEqual(store.verifications(Fixtures.flwrBuiltFABHash), [:])
    }

    func testVerificationsMetaIsPythonJSON() throws {
        let store = try FABStore(directory: root)
        let hash = try store.put([1, 2, 3], verifications: [("valid_license", "true"), ("key-1", "{\"signature\": \"é\"}")])
        XCTAssertEqual(String(decoding: Fixtures.loadAbsolute(root + "/" + hash + ".META"), as: UTF8.self),
                       #"{"valid_license": "true", "key-1": "{\"signature\": \"\u00e9\"}"}"#)
        XCTAssertEqual(store.verifications(hash), ["valid_license": "true", "key-1": "{\"signature\": \"é\"}"])
    }

    func testHashValidation() throws {
        let store = try FABStore(directory: root)
        let hash = try store.put([9])
        XCTAssertNotNil(store.get(hash))
        for bad in ["", "../etc/passwd", hash.uppercased(), String(hash.dropLast()), hash + "0", "/" + String(hash.dropFirst()),
                    String(repeating: "g", count: 64)] {
            XCTAssertNil(store.get(bad), bad)
            XCTAssertNil(store.verifications(bad), bad)
        }
        XCTAssertNil(store.get(String(repeating: "0", count: 64)))
    }

    func testDirectoryErrors() {
        Fixtures.write(root + "/file", [1])
        XCTAssertThrowsError(try FABStore(directory: root + "/file"))
        XCTAssertThrowsError(try FABStore(directory: root + "/file/sub"))
    }
}

extension Fixtures {
    static func loadAbsolute(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            out += buffer[..<n]
        }
        return out
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let file = fopen(path, "wb")!
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
}
