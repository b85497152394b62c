import ProtoWire
import XCTest

final class VarintTests: XCTestCase {
    private func encoded(_ value: UInt64) -> [UInt8] {
        var writer = ProtoWriter()
        writer.writeVarint(value)
        return writer.bytes
    }

    private func readVarint(_ bytes: [UInt8]) throws(ProtoDecodeError) -> UInt64 {
        try ProtoReader.withReader(over: bytes) { (reader) throws(ProtoDecodeError) in try reader.readVarint() }
    }

    func testKnownEncodings() throws {
        let cases: [(UInt64, String)] = [
            (0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (16383, "ff7f"),
            (16384, "808001"), (UInt64(UInt32.max), "ffffffff0f"),
            (UInt64.max, "ffffffffffffffffff01"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(hex(encoded(value)), expected, "encode \(value)")
            XCTAssertEqual(try readVarint(hex(expected)), value, "decode \(expected)")
            XCTAssertEqual(ProtoSize.varint(value), expected.count / 2, "size \(value)")
        }
    }

    func testSizeMatchesEncodingAcrossAllBitLengths() {
        for bits in 0 ... 64 {
            for value in [bits == 0 ? 0 : UInt64(1) << (bits - 1), bits == 64 ? UInt64.max : (UInt64(1) << bits) &- 1] {
                XCTAssertEqual(ProtoSize.varint(value), encoded(value).count, "value \(value)")
            }
        }
    }

    func testTenByteMaximumIsAcceptedAndElevenIsRejected() throws {
        XCTAssertEqual(try readVarint(hex("ffffffffffffffffff01")), UInt64.max)
        // Bits past 64 in the 10th byte are dropped, as protobuf implementations do.
        XCTAssertEqual(try readVarint(hex("ffffffffffffffffff7f")), UInt64.max)
        // Non-minimal but ≤ 10 bytes is legal.
        XCTAssertEqual(try readVarint(hex("80808080808080808000")), 0)
        XCTAssertThrowsError(try readVarint(hex("ffffffffffffffffff8001"))) { error in
            XCTAssertEqual(error as? ProtoDecodeError, .malformedVarint)
        }
        XCTAssertThrowsError(try readVarint(hex("8080808080808080808080808001"))) { error in
            XCTAssertEqual(error as? ProtoDecodeError, .malformedVarint)
        }
    }

    func testTruncatedVarint() {
        for input in ["", "80", "ffff", "ffffffffffffffffff"] {
            XCTAssertThrowsError(try readVarint(hex(input))) { error in
                XCTAssertEqual(error as? ProtoDecodeError, .truncated, input)
            }
        }
    }

    func testZigZag() {
        let cases64: [(Int64, UInt64)] = [(0, 0), (-1, 1), (1, 2), (-2, 3), (2, 4),
                                          (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max)]
        for (value, zigzag) in cases64 {
            XCTAssertEqual(ZigZag.encode(value), zigzag)
            XCTAssertEqual(ZigZag.decode(zigzag), value)
        }
        let cases32: [(Int32, UInt32)] = [(0, 0), (-1, 1), (1, 2), (Int32.max, UInt32.max - 1), (Int32.min, UInt32.max)]
        for (value, zigzag) in cases32 {
            XCTAssertEqual(ZigZag.encode(value), zigzag)
            XCTAssertEqual(ZigZag.decode(zigzag), value)
        }
    }

    func testScalarFieldEncodings() throws {
        var message = Scalars()
        message.i32 = -1          // sign-extended: 10 bytes
        message.s32 = -1          // zigzag: 01
        message.s64 = -2          // zigzag: 03
        message.d = 1.5
        message.f = -0.25
        message.fx64 = 0x0102030405060708
        message.fx32 = 0x0A0B0C0D
        let bytes = message.serializedBytes()
        XCTAssertEqual(hex(bytes), "18ffffffffffffffffff01" + "2803" + "3001" + "41000000000000f83f"
            + "4d000080be" + "610807060504030201" + "6d0d0c0b0a")
        XCTAssertEqual(message.serializedSize, bytes.count)
        XCTAssertEqual(decode(Scalars.self, bytes), message)
    }

    func testInt32DecodesLow32BitsOfA64BitVarint() {
        // int32 -1 written as a 5-byte varint (some encoders do) and as 10 bytes.
        XCTAssertEqual(decode(Scalars.self, hex("18ffffffff0f"))?.i32, -1)
        XCTAssertEqual(decode(Scalars.self, hex("18ffffffffffffffffff01"))?.i32, -1)
        XCTAssertEqual(decode(Scalars.self, hex("20ffffffffffffffffff01"))?.u32, UInt32.max)
    }

    func testNegativeZeroIsNotTheDefault() {
        var message = Scalars()
        message.d = -0.0
        XCTAssertEqual(hex(message.serializedBytes()), "410000000000000080")
        XCTAssertEqual(decode(Scalars.self, message.serializedBytes())?.d.sign, .minus)
    }
}
