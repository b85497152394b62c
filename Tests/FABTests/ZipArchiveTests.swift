import FAB
import XCTest

final class ZipArchiveTests: XCTestCase {
    func testReadsFlwrBuiltFAB() throws {
        let zip = try ZipArchive(bytes: Fixtures.load(Fixtures.flwrBuiltFABName))
        XCTAssertEqual(zip.entries.map(\.path), [
            "pyproject.toml", "README.md", "tinyapp/__init__.py", "tinyapp/client_app.py", "tinyapp/server_app.py", ".info/CONTENT",
        ])
        XCTAssertTrue(zip.entries.allSatisfy { $0.compressionMethod == 0 }, "flwr build stores entries uncompressed")
        let pyproject = try XCTUnwrap(zip.data(for: "pyproject.toml"))
        XCTAssertTrue(String(decoding: pyproject, as: UTF8.self).hasPrefix("[build-system]"))
        XCTAssertNil(zip.data(for: "missing.py"))
    }

    func testDeflateRoundTrip() throws {
        let payload = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 7 ^ $0 >> 3) }
        var builder = ZipBuilder()
        builder.add("data.bin", bytes: payload, deflate: true)
        builder.add("empty.txt", bytes: [], deflate: true)
        builder.add("stored.txt", "plain")
        let zip = try ZipArchive(bytes: builder.build())
        XCTAssertEqual(zip.entries.map(\.compressionMethod), [8, 8, 0])
        XCTAssertEqual(zip.data(for: "data.bin"), payload)
        XCTAssertEqual(zip.data(for: "empty.txt"), [])
        XCTAssertEqual(zip.data(for: "stored.txt"), Array("plain".utf8))
    }

    func testEveryTruncationFailsCleanly() {
        let bytes = Fixtures.load(Fixtures.flwrBuiltFABName)
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            if let zip = try? ZipArchive(bytes: prefix) {
                // The end record can still be found in some prefixes only if a data byte
                // happens to look like one; reading must still not crash.
                _ = zip.entries.map { zip.data(for: $0.path) }
            }
            XCTAssertThrowsError(try FAB(content: prefix), "prefix \(length)")
        }
    }

    func testEveryByteFlipIsSurvivable() {
        let bytes = Fixtures.load(Fixtures.flwrBuiltFABName)
        for offset in 0..<bytes.count {
            var mutated = bytes
            mutated[offset] ^= 0xFF
            if let zip = try? ZipArchive(bytes: mutated) {
                _ = zip.entries.map { zip.data(for: $0.path) }
            }
            _ = try? FAB(content: mutated)
        }
    }

    func testHugeDeclaredSizes() throws {
        // Stored: Python reads min(compressed, declared) bytes, so a huge declared size is harmless.
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "big", data: Array("x".utf8), declaredSize: 0xFFFF_FFF0))
        XCTAssertEqual(try ZipArchive(bytes: builder.build()).read("big"), Array("x".utf8))
        // Deflate that really inflates past the cap is refused, whatever it declares.
        builder = ZipBuilder()
        builder.entries.append(.init(name: "big", data: [UInt8](repeating: 7, count: 300_000), deflate: true, declaredSize: 0xFFFF_FFF0))
        XCTAssertThrowsError(try ZipArchive(bytes: builder.build(), limits: ZipLimits(maxEntrySize: 100_000)).read("big")) { error in
            guard case .zipLimitExceeded = error as? FABError else { return XCTFail("\(error)") }
        }
        // Exactly at the cap is fine.
        builder = ZipBuilder()
        builder.add("edge", bytes: [UInt8](repeating: 7, count: 100_000), deflate: true)
        XCTAssertEqual(try ZipArchive(bytes: builder.build(), limits: ZipLimits(maxEntrySize: 100_000)).read("edge").count, 100_000)
        // A compressed size that runs past the end of the file: Python's bare EOFError.
        builder = ZipBuilder()
        builder.entries.append(.init(name: "short", data: Array("abc".utf8), declaredSize: 1000, declaredCompressedSize: 1000))
        XCTAssertThrowsError(try ZipArchive(bytes: builder.build()).read("short")) { error in
            XCTAssertEqual(error as? FABError, .corruptZip(""))
        }
    }

    func testZipBombIsCapped() throws {
        let zeros = [UInt8](repeating: 0, count: 8 * 1024 * 1024)
        var honest = ZipBuilder()
        honest.add("bomb", bytes: zeros, deflate: true)
        let bytes = honest.build()
        XCTAssertLessThan(bytes.count, 64 * 1024)
        let limits = ZipLimits(maxEntries: 10, maxEntrySize: 1024 * 1024, maxTotalSize: 2 * 1024 * 1024)
        XCTAssertThrowsError(try ZipArchive(bytes: bytes, limits: limits).read("bomb")) { error in
            guard case .zipLimitExceeded = error as? FABError else { return XCTFail("\(error)") }
        }
        // Lying about the size: inflation stops at the declared size and the CRC catches it.
        var liar = ZipBuilder()
        liar.entries.append(.init(name: "bomb", data: zeros, deflate: true, declaredSize: 100))
        XCTAssertThrowsError(try ZipArchive(bytes: liar.build(), limits: limits).read("bomb")) { error in
            XCTAssertEqual(error as? FABError, .corruptZip("Bad CRC-32 for file 'bomb'"))
        }
        // Many small entries: the total cap applies on extraction.
        var many = ZipBuilder()
        for i in 0..<3 { many.add("f\(i)", bytes: [UInt8](repeating: 1, count: 900 * 1024), deflate: true) }
        XCTAssertThrowsError(try ZipArchive(bytes: many.build(), limits: limits).extractAll())
    }

    func testEntryCountCap() {
        var builder = ZipBuilder()
        for i in 0..<5 { builder.add("f\(i)", "x") }
        XCTAssertThrowsError(try ZipArchive(bytes: builder.build(), limits: ZipLimits(maxEntries: 3))) { error in
            guard case .zipLimitExceeded = error as? FABError else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try ZipArchive(bytes: builder.build(), limits: ZipLimits(maxEntries: 5)))
    }

    func testCorruptExtraField() {
        var builder = ZipBuilder()
        builder.add("a", "x")
        var bytes = builder.build()
        let end = endRecordOffset(bytes)
        let cd = Int(bytes[end + 16]) | Int(bytes[end + 17]) << 8
        // Give the central record a 4-byte extra field claiming 513 bytes of data.
        bytes[cd + 30] = 4
        bytes.insert(contentsOf: [0x50, 0x4B, 0x01, 0x02], at: cd + 46 + 1)
        patch32(&bytes, at: end + 4 + 12, UInt32(46 + 1 + 4))
        XCTAssertThrowsError(try ZipArchive(bytes: bytes)) { error in
            XCTAssertEqual(error as? FABError, .corruptZip("Corrupt extra field 4b50 (size=513)"))
        }
    }

    func testCRCMismatch() {
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "a.txt", data: Array("hello".utf8), crc: 42))
        XCTAssertThrowsError(try ZipArchive(bytes: builder.build()).read("a.txt")) { error in
            XCTAssertEqual(error as? FABError, .corruptZip("Bad CRC-32 for file 'a.txt'"))
        }
    }

    func testPathTraversalRefusedOnExtraction() throws {
        for evil in ["../evil.py", "/etc/passwd", "a/../../b", "a\\b", "C:/x", "a//b", "./a"] {
            var builder = ZipBuilder()
            builder.add("ok.py", "x")
            builder.add(evil, "boom")
            let zip = try ZipArchive(bytes: builder.build())
            XCTAssertThrowsError(try zip.extractAll(), evil)
            XCTAssertFalse(ZipArchive.isSafeRelativePath(evil), evil)
        }
        var fine = ZipBuilder()
        fine.add("dir/", "")
        fine.add("dir/a.py", "x")
        fine.add(".info/CONTENT", "y")
        let files = try ZipArchive(bytes: fine.build()).extractAll()
        XCTAssertEqual(files.map(\.path), ["dir/a.py", ".info/CONTENT"])
    }

    func testZip64AndEncryptionRejected() throws {
        var builder = ZipBuilder()
        builder.add("a", "x")
        var bytes = builder.build()
        let end = endRecordOffset(bytes)
        bytes.insert(contentsOf: le32(0x0706_4B50) + [UInt8](repeating: 0, count: 16), at: end)
        // The inserted locator shifts the end record; offsets stay valid relative to it.
        XCTAssertThrowsError(try ZipArchive(bytes: bytes)) { error in
            guard case .zipLimitExceeded = error as? FABError else { return XCTFail("\(error)") }
        }
        var encrypted = ZipBuilder()
        encrypted.entries.append(.init(name: "pyproject.toml", data: Array("x".utf8), flags: 1))
        XCTAssertThrowsError(try ZipArchive(bytes: encrypted.build()).read("pyproject.toml")) { error in
            XCTAssertEqual((error as? FABError)?.description,
                           "Exception calling application: File 'pyproject.toml' is encrypted, password required for extraction")
        }
    }

    func testNotAZip() {
        for bytes: [UInt8] in [[], [0x50, 0x4B, 5, 6], Array("PK\u{5}\u{6}".utf8) + [UInt8](repeating: 0, count: 10)] {
            XCTAssertThrowsError(try ZipArchive(bytes: bytes)) { error in
                XCTAssertEqual(error as? FABError, .notAZip)
            }
        }
        // An empty archive (just an end record) is a valid zip with no entries.
        XCTAssertEqual(try ZipArchive(bytes: ZipBuilder().build()).entries.count, 0)
    }
}
