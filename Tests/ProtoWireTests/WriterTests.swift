import ProtoWire
import XCTest

final class WriterTests: XCTestCase {
    /// Sub-message lengths are patched in after the payload; payloads crossing the 1-, 2- and
    /// 3-byte length-prefix boundaries must shift correctly.
    func testLengthPrefixBackpatchingAcrossVarintBoundaries() throws {
        for textLength in [0, 1, 124, 125, 126, 127, 128, 16379, 16380, 16381, 16382, 16383, 16384, 2_097_200] {
            var extra = Scalars()
            extra.text = String(repeating: "x", count: textLength)
            var tree = Tree()
            tree.id = "r"
            tree.extra = extra
            tree.children = [Tree.chain(depth: 2)]
            let bytes = tree.serializedBytes()
            XCTAssertEqual(bytes.count, tree.serializedSize, "text length \(textLength)")
            XCTAssertEqual(try Tree(serializedBytes: bytes), tree, "text length \(textLength)")

            // The `extra` field is last: tag 1a, varint(length of extra), then extra's bytes.
            let extraBytes = extra.serializedBytes()
            var expectedTail = ProtoWriter()
            expectedTail.writeTag(3, .lengthDelimited)
            expectedTail.writeVarint(UInt64(extraBytes.count))
            expectedTail.writeRawBytes(extraBytes)
            XCTAssertEqual(Array(bytes.suffix(expectedTail.bytes.count)), expectedTail.bytes, "text length \(textLength)")
        }
    }

    func testNestedScopesWithLargeInnerAndOuterPayloads() throws {
        var inner = Tree()
        inner.id = String(repeating: "i", count: 300)
        var middle = Tree()
        middle.children = [inner, inner]
        middle.id = String(repeating: "m", count: 200)
        var outer = Tree()
        outer.children = [middle]
        let bytes = outer.serializedBytes()
        XCTAssertEqual(bytes.count, outer.serializedSize)
        XCTAssertEqual(try Tree(serializedBytes: bytes), outer)
        // middle = (1 + 2 + 200) + 2 * (1 + 2 + (1 + 2 + 300)) = 815 = varint af 06
        XCTAssertEqual(Array(bytes.prefix(3)), [0x12, 0xAF, 0x06])
    }

    func testBeginEndLengthDelimitedDirectly() {
        var writer = ProtoWriter()
        let scope = writer.beginLengthDelimited(1)
        writer.writeStringField(1, "k")
        writer.writeUInt32Field(2, 0)
        writer.endLengthDelimited(scope)
        XCTAssertEqual(hex(writer.bytes), "0a050a016b1000")
    }

    func testMapOrderMatchesPythonProtobuf() {
        // Orders observed from Python protobuf 6.33 (upb) with deterministic=True.
        let strings = ["", "a", "ab", "abc", "b", "ba", "B", "aa", "é", "z"]
        XCTAssertEqual(strings.sorted(by: ProtoMapOrder.precedes), ["B", "aa", "abc", "ab", "a", "ba", "b", "z", "é", ""])
        let more = ["aa", "aba", "abb", "ab", "a", "baa", "bba", "b", ""].shuffled()
        XCTAssertEqual(more.sorted(by: ProtoMapOrder.precedes), ["aa", "aba", "abb", "ab", "a", "baa", "bba", "b", ""])
        let integers: [UInt64] = [1, 2, 3, 5, 4, UInt64.max, 0, 127, 128]
        XCTAssertEqual(integers.sorted(by: ProtoMapOrder.precedes), [UInt64.max, 128, 127, 5, 4, 3, 2, 1, 0])
        XCTAssertEqual([false, true].sorted(by: ProtoMapOrder.precedes), [true, false])
    }
}
