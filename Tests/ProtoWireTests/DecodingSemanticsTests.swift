import ProtoWire
import XCTest

/// proto3 decoding rules: unknown fields, repeated occurrences, packed/unpacked, enums.
final class DecodingSemanticsTests: XCTestCase {
    func testUnknownFieldsOfEveryWireTypeAreSkipped() {
        // field 1 = 5, then unknown 20 (varint), 21 (fixed64), 22 (length-delimited),
        // 23 (fixed32), a huge field number, then field 10 = "ok".
        let bytes = hex("0805" + "a001ffffffffffffffffff01" + "a9010102030405060708" + "b20103616263"
            + "bd0101020304" + "f8ffffff0f00" + "52026f6b")
        let message = decode(Scalars.self, bytes)
        XCTAssertEqual(message?.u64, 5)
        XCTAssertEqual(message?.text, "ok")
        // Unknown fields are dropped on re-encoding.
        XCTAssertEqual(message.map { hex($0.serializedBytes()) }, "080552026f6b")
    }

    func testUnknownFieldInsideASubMessage() {
        let message = decode(Tree.self, hex("0a0172" + "1205" + "0a0161" + "3001"))
        XCTAssertEqual(message?.children.first?.id, "a")
    }

    func testLastValueWinsForScalars() {
        let message = decode(Scalars.self, hex("0801" + "5201" + "61" + "0802" + "5201" + "62"))
        XCTAssertEqual(message?.u64, 2)
        XCTAssertEqual(message?.text, "b")
    }

    func testSubMessageOccurringTwiceIsMerged() {
        // extra{u64: 1, text: "a"} then extra{text: "b", many: [7]} → extra{u64: 1, text: "b", many: [7]}
        let message = decode(Tree.self, hex("1a05" + "0801" + "520161" + "1a05" + "520162" + "7007"))
        var expected = Scalars()
        expected.u64 = 1
        expected.text = "b"
        expected.many = [7]
        XCTAssertEqual(message?.extra, expected)
    }

    func testPresentEmptySubMessageIsPreserved() {
        let message = decode(Tree.self, hex("1a00"))
        XCTAssertEqual(message?.extra, Scalars())
        XCTAssertEqual(message.map { hex($0.serializedBytes()) }, "1a00")
        XCTAssertEqual(hex(Tree().serializedBytes()), "")
    }

    func testRepeatedNumericsAcceptPackedAndUnpackedAndMixed() {
        // unpacked 1, packed [2, 300], unpacked 4
        let message = decode(Scalars.self, hex("7001" + "7203" + "02ac02" + "7004"))
        XCTAssertEqual(message?.many, [1, 2, 300, 4])
        // doubles: unpacked then packed
        let doubles = decode(Scalars.self, hex("79000000000000f03f" + "7a08" + "0000000000000040"))
        XCTAssertEqual(doubles?.doubles, [1, 2])
        // sint32 packed with negatives; floats packed
        let mixed = decode(Scalars.self, hex("8201" + "03" + "010203" + "8a0108" + "0000803f" + "000000c0"))
        XCTAssertEqual(mixed?.sints, [-1, 1, -2])
        XCTAssertEqual(mixed?.floats, [1, -2])
        // An empty packed run adds nothing.
        XCTAssertEqual(decode(Scalars.self, hex("7200"))?.many, [])
    }

    func testRepeatedNumericsEncodePacked() {
        var message = Scalars()
        message.many = [1, 300]
        message.doubles = [0.5]
        message.sints = [-1, 0]
        message.floats = [1]
        let bytes = message.serializedBytes()
        XCTAssertEqual(hex(bytes), "720301ac02" + "7a08000000000000e03f" + "8201020100" + "8a01040000803f")
        XCTAssertEqual(message.serializedSize, bytes.count)
    }

    func testUnknownEnumValuesRoundTrip() {
        let message = decode(Paint.self, hex("0863" + "1203027f05"))
        XCTAssertEqual(message?.color, Color(rawValue: 99))
        XCTAssertEqual(message?.palette, [.blue, Color(rawValue: 127), Color(rawValue: 5)])
        XCTAssertEqual(message.map { hex($0.serializedBytes()) }, "0863" + "1203027f05")
        var negative = Paint()
        negative.color = Color(rawValue: -1)
        XCTAssertEqual(hex(negative.serializedBytes()), "08ffffffffffffffffff01")
        XCTAssertEqual(negative.serializedSize, 11)
        XCTAssertEqual(decode(Paint.self, negative.serializedBytes()), negative)
    }

    func testBorrowedBufferDecoding() throws {
        var tree = Tree()
        tree.id = "root"
        tree.children = [Tree.chain(depth: 3)]
        let bytes = tree.serializedBytes()
        let decoded = try bytes.withUnsafeBytes { (raw) throws(ProtoDecodeError) in try Tree(serializedBuffer: raw) }
        XCTAssertEqual(decoded, tree)
    }

    func testMergeSerializedBytes() throws {
        var message = Scalars()
        message.u64 = 1
        message.many = [1]
        try message.merge(serializedBytes: hex("52017a" + "7002"))
        XCTAssertEqual(message.u64, 1)
        XCTAssertEqual(message.text, "z")
        XCTAssertEqual(message.many, [1, 2])
    }
}
