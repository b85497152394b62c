import FlowerProto
import XCTest

/// Protobuf bodies of objects in /work/shared/inflatable-test-vectors.json (Flower 1.28 output):
/// the bytes after the head's NUL divider. They must decode, and re-encode byte for byte
/// (object IDs are SHA-256 of these bytes).
final class InflatableVectorTests: XCTestCase {
    // ConfigRecord: a=1, b="x", f=0.5, t=True, bb=b"\x00\xff", l=["p", "q"]
    let configRecordBody = "0a070a0161120210020a080a016212032a01780a0e0a0166120909000000000000e03f0a070a0174120220010a0a"
        + "0a0262621204320200ff0a0e0a016c1209ca01060a01700a0171"
    // MetricRecord: acc=0.5, n=10, l=[1, 2] (sint list), big=2**63+5 (uint64)
    let metricRecordBody = "0a100a03616363120909000000000000e03f0a070a016e120210140a0c0a016c1207b201040a0202040a120a0362"
        + "6967120b1885808080808080808001"
    // "Message with content": metadata only, message_id "" inside the body.
    let messageBody = "0a23082a180120d20932013139000000000018e5404205747261696e49000000406e55da41"
    // "Message with error": reply_to_message_id set, error{code=4, reason="boom"}.
    let errorMessageBody = "0a65082a18d20920012a40386436656530653937376539383935343062303033663834303031323861626433653132"
        + "333762656334363132643039663139373232643466633665633933663201313900000000000059404205747261696e"
        + "49000040406e55da411a0808041204626f6f6d"

    func testConfigRecordBody() throws {
        let record = try FlwrConfigRecord(serializedBytes: hex(configRecordBody))
        XCTAssertEqual(record.items.map(\.key), ["a", "b", "f", "t", "bb", "l"])
        let values = record.items.map { $0.value?.value }
        XCTAssertEqual(values[0], .sint64(1))
        XCTAssertEqual(values[1], .string("x"))
        XCTAssertEqual(values[2], .double(0.5))
        XCTAssertEqual(values[3], .bool(true))
        XCTAssertEqual(values[4], .bytes([0x00, 0xFF]))
        var list = FlwrStringList()
        list.vals = ["p", "q"]
        XCTAssertEqual(values[5], .stringList(list))
        XCTAssertEqual(hex(record.serializedBytes()), configRecordBody)
    }

    func testMetricRecordBody() throws {
        let record = try FlwrMetricRecord(serializedBytes: hex(metricRecordBody))
        XCTAssertEqual(record.items.map(\.key), ["acc", "n", "l", "big"])
        XCTAssertEqual(record.items[1].value?.value, .sint64(10))
        XCTAssertEqual(record.items[3].value?.value, .uint64((1 << 63) + 5))
        XCTAssertEqual(hex(record.serializedBytes()), metricRecordBody)
    }

    func testMessageBodies() throws {
        let message = try FlwrMessage(serializedBytes: hex(messageBody))
        XCTAssertEqual(message.metadata?.runID, 42)
        XCTAssertEqual(message.metadata?.messageID, "")
        XCTAssertEqual(message.metadata?.dstNodeID, 1234)
        XCTAssertEqual(message.metadata?.messageType, "train")
        XCTAssertNil(message.content)
        XCTAssertEqual(hex(message.serializedBytes()), messageBody)

        let failed = try FlwrMessage(serializedBytes: hex(errorMessageBody))
        XCTAssertEqual(failed.error?.code, 2)  // sint64: wire 04 is zigzag for 2
        XCTAssertEqual(failed.error?.reason, "boom")
        XCTAssertEqual(failed.metadata?.replyToMessageID.count, 64)
        XCTAssertEqual(hex(failed.serializedBytes()), errorMessageBody)
    }
}
