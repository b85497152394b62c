import ProtoWire
import XCTest

/// ProtoWire's own UTF-8 validator must agree with the standard library's strict one.
final class UTF8ValidationTests: XCTestCase {
    /// Whether a `string` field with `payload` decodes.
    private func accepts(_ payload: [UInt8]) -> Bool {
        var writer = ProtoWriter()
        writer.writeBytesField(10, payload)     // field 10 of Scalars is a string
        return (try? Scalars(serializedBytes: writer.bytes)) != nil
    }

    private func stdlibAccepts(_ payload: [UInt8]) -> Bool {
        String(validating: payload, as: UTF8.self) != nil
    }

    func testAllOneAndTwoByteSequences() {
        for a in 0 ... 255 {
            XCTAssertEqual(accepts([UInt8(a)]), stdlibAccepts([UInt8(a)]), "\(a)")
            for b in 0 ... 255 {
                let bytes = [UInt8(a), UInt8(b)]
                if accepts(bytes) != stdlibAccepts(bytes) { XCTFail("disagree on \(hex(bytes))") }
            }
        }
    }

    func testThreeAndFourByteSequencesAroundEveryBoundary() {
        let edges: [UInt8] = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for lead in UInt8(0xE0) ... 0xF7 {
            for second in 0 ... 255 {
                for third in edges {
                    let three = [lead, UInt8(second), third]
                    if accepts(three) != stdlibAccepts(three) { XCTFail("disagree on \(hex(three))") }
                    if lead >= 0xF0 {
                        for fourth in [UInt8(0x80), 0xBF, 0x7F, 0xC0] {
                            let four = three + [fourth]
                            if accepts(four) != stdlibAccepts(four) { XCTFail("disagree on \(hex(four))") }
                        }
                    }
                }
            }
        }
    }

    func testLongerMixedStringsAndTheAsciiFastPath() {
        let pieces: [[UInt8]] = [Array("abcdefgh".utf8), Array("é".utf8), Array("🌻".utf8), Array("€".utf8),
                                 [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x00]]
        // A fixed LCG picks the pieces, so every run checks the same strings.
        var seed: UInt64 = 12345
        for _ in 0 ..< 3000 {
            var bytes: [UInt8] = []
            for _ in 0 ..< 6 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes += pieces[Int(seed >> 33) % pieces.count]
            }
            XCTAssertEqual(accepts(bytes), stdlibAccepts(bytes), hex(bytes))
        }
        // Invalid byte after a long ASCII run (past the 8-byte fast path) is still caught.
        XCTAssertFalse(accepts(Array(repeating: 0x61, count: 37) + [0x80]))
        XCTAssertTrue(accepts(Array(repeating: 0x61, count: 37) + Array("ü".utf8)))
    }
}
