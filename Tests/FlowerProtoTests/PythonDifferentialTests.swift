import FlowerProto
import XCTest

/// Differential check against Python protobuf over every Flower message type: decoding
/// Python's deterministic bytes and re-encoding must reproduce them exactly (Python's output
/// is canonical, so any difference is a Swift codec bug: field order, presence, packing, map
/// order, zigzag, sign extension, float bits).
final class PythonDifferentialTests: XCTestCase {
    func testEveryMessageTypeReencodesPythonBytesExactly() throws {
        XCTAssertEqual(reencoders.count, 144, "every non-map-entry message of flwr 1.28")
        var checked = 0
        for line in pythonRandomVectors {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            let name = String(parts[0])
            let expected = parts.count > 1 ? String(parts[1]) : ""
            let reencode = try XCTUnwrap(reencoders[name], name)
            do {
                let actual = try reencode(hex(expected))
                XCTAssertEqual(hex(actual), expected, name)
            } catch {
                XCTFail("\(name): \(error) decoding \(expected)")
            }
            checked += 1
        }
        XCTAssertEqual(checked, pythonRandomVectors.count)
    }
}
