import FlowerProto
import ProtoWire
import XCTest

/// A known field that arrives with another wire type is an unknown field, not a decode error
/// (protobuf's rule; Python's upb-based parser, and so Flower, answers such requests normally).
final class WireTypeMismatchTests: XCTestCase {
    func testMismatchedScalarIsSkippedAndTheRestDecodes() throws {
        // Run: field 1 (run_id, varint) sent as fixed64, then field 2 (fab_id) = "ab".
        let bytes: [UInt8] = [0x09] + [UInt8](repeating: 7, count: 8) + [0x12, 0x02, 0x61, 0x62]
        let run = try FlwrRun(serializedBytes: bytes)
        XCTAssertEqual(run.runID, 0)
        XCTAssertEqual(run.fabID, "ab")
    }

    func testMismatchedStringAndMessageAreSkipped() throws {
        // Run: field 2 (fab_id, string) as a varint; field 10 (status, message) as fixed32.
        let bytes: [UInt8] = [0x10, 0x05, 0x55, 1, 2, 3, 4, 0x08, 0x2A]
        let run = try FlwrRun(serializedBytes: bytes)
        XCTAssertEqual(run.fabID, "")
        XCTAssertNil(run.status)
        XCTAssertEqual(run.runID, 42)
    }

    func testMismatchedMapEntryPartsAreSkipped() throws {
        // Run: field 4 (override_config map<string, Scalar>) entry whose key arrives as a varint.
        let entry: [UInt8] = [0x08, 0x01, 0x12, 0x00]
        let bytes: [UInt8] = [0x22, UInt8(entry.count)] + entry
        let run = try FlwrRun(serializedBytes: bytes)
        XCTAssertEqual(Array(run.overrideConfig.keys), [""])
    }

    func testTruncatedMismatchedFieldStillFails() {
        // Skipping needs the whole value: a fixed64 with 4 bytes is truncated input.
        XCTAssertThrowsError(try FlwrRun(serializedBytes: [0x09, 1, 2, 3, 4]))
    }
}
