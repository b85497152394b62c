import ProtoWire
import XCTest

/// Malformed and adversarial inputs must throw a specific error, never trap or over-allocate.
final class HostileInputTests: XCTestCase {
    func testTruncatedValues() {
        assertDecodeFails(Scalars.self, hex("08"), .truncated)                  // tag, no varint
        assertDecodeFails(Scalars.self, hex("0880"), .truncated)                // varint cut short
        assertDecodeFails(Scalars.self, hex("41000000"), .truncated)            // fixed64 with 3 bytes
        assertDecodeFails(Scalars.self, hex("4d0000"), .truncated)              // fixed32 with 2 bytes
        assertDecodeFails(Scalars.self, hex("52"), .truncated)                  // length prefix missing
        assertDecodeFails(Scalars.self, hex("8f"), .truncated)                  // multi-byte tag cut short
        assertDecodeFails(Scalars.self, hex("c901000000"), .truncated)          // unknown fixed64 (field 25)
        assertDecodeFails(Scalars.self, hex("cd0100"), .truncated)              // unknown fixed32 cut short
    }

    func testLengthPrefixBeyondInputIsRejectedBeforeAllocating() {
        assertDecodeFails(Scalars.self, hex("52036162"), .lengthExceedsInput) // 3 declared, 2 present
        assertDecodeFails(Scalars.self, hex("5a05010203"), .lengthExceedsInput)
        // 2^63 and 2^64-1 byte payloads: must fail on the check, not try to allocate.
        assertDecodeFails(Scalars.self, hex("5a80808080808080808001"), .lengthExceedsInput)
        assertDecodeFails(Scalars.self, hex("5affffffffffffffffff01"), .lengthExceedsInput)
        assertDecodeFails(Tree.self, hex("12ffffffff0f"), .lengthExceedsInput)
        // Packed field and unknown length-delimited field.
        assertDecodeFails(Scalars.self, hex("7205010203"), .lengthExceedsInput)
        assertDecodeFails(Scalars.self, hex("ca0105"), .lengthExceedsInput)
    }

    func testLengthIsCheckedAgainstTheEnclosingMessageNotTheWholeBuffer() {
        // Tree{children: [Tree{id: <5 bytes claimed>}]}, where the child says 2 bytes and the
        // string inside claims 5: bytes exist after the child but belong to the parent.
        assertDecodeFails(Tree.self, hex("1202" + "0a05" + "0a0161616161"), .lengthExceedsInput)
    }

    func testGroupAndReservedWireTypes() {
        assertDecodeFails(Scalars.self, hex("0b"), .invalidWireType(3))   // field 1, start group
        assertDecodeFails(Scalars.self, hex("0c"), .invalidWireType(4))   // field 1, end group
        assertDecodeFails(Scalars.self, hex("0e"), .invalidWireType(6))
        assertDecodeFails(Scalars.self, hex("0f"), .invalidWireType(7))
        assertDecodeFails(Scalars.self, hex("fb07"), .invalidWireType(3))  // unknown field 127 too
    }

    func testFieldNumberZeroAndOutOfRange() {
        assertDecodeFails(Scalars.self, hex("0001"), .invalidFieldNumber)
        assertDecodeFails(Scalars.self, hex("0201"), .invalidFieldNumber)          // 0 with wire type 2
        assertDecodeFails(Scalars.self, hex("808080808001"), .invalidFieldNumber)  // tag > 32 bits
        // The largest legal field number (2^29 - 1) is fine as an unknown field.
        XCTAssertNotNil(decode(Scalars.self, hex("f8ffffff0f01")))
    }

    func testWrongWireTypeForKnownField() {
        assertDecodeFails(Scalars.self, hex("0a00"), .wireTypeMismatch(fieldNumber: 1, wireType: .lengthDelimited))
        assertDecodeFails(Scalars.self, hex("4001"), .wireTypeMismatch(fieldNumber: 8, wireType: .varint))
        assertDecodeFails(Scalars.self, hex("5001"), .wireTypeMismatch(fieldNumber: 10, wireType: .varint))
        assertDecodeFails(Scalars.self, hex("4900000000"), .wireTypeMismatch(fieldNumber: 9, wireType: .fixed64))
        assertDecodeFails(Tree.self, hex("1001"), .wireTypeMismatch(fieldNumber: 2, wireType: .varint))
        assertDecodeFails(Scalars.self, hex("7500000000"), .wireTypeMismatch(fieldNumber: 14, wireType: .fixed32))
    }

    func testInvalidUTF8InStringField() {
        for payload in ["ff", "c080", "eda080", "e282", "f4908080", "61ff62"] {
            let bytes = hex("52") + [UInt8(payload.count / 2)] + hex(payload)
            assertDecodeFails(Scalars.self, bytes, .invalidUTF8(fieldNumber: 10))
        }
        // Valid multi-byte UTF-8 and bytes fields with the same payload are fine.
        XCTAssertEqual(decode(Scalars.self, hex("5204f09f8cbb"))?.text, "🌻")
        XCTAssertEqual(decode(Scalars.self, hex("5a01ff"))?.blob, [0xFF])
    }

    func testPackedFixedPayloadMustBeAMultipleOfTheWidth() {
        assertDecodeFails(Scalars.self, hex("7a0700000000000000"), .malformedPackedField(fieldNumber: 15))
        assertDecodeFails(Scalars.self, hex("8a010300000000"), .malformedPackedField(fieldNumber: 17))
    }

    func testPackedVarintCannotRunPastItsPayload() {
        // Packed payload of 1 byte holding the start of a longer varint; the parent has more
        // bytes that must not be consumed as its continuation.
        assertDecodeFails(Scalars.self, hex("720180" + "01"), .truncated)
    }

    func testNestingLimit() throws {
        let allowed = Tree.chain(depth: ProtoReader.maximumDepth)
        XCTAssertEqual(try Tree(serializedBytes: allowed.serializedBytes()), allowed)
        let tooDeep = Tree.chain(depth: ProtoReader.maximumDepth + 1)
        assertDecodeFails(Tree.self, tooDeep.serializedBytes(), .nestingTooDeep)
    }

    func testDepthBombDoesNotOverflowTheStack() {
        // 200,000 nested `12 <len>` headers around an empty leaf: a tree far deeper than any
        // stack, with every length consistent. Built inside-out, reversed, in linear time.
        var reversed: [UInt8] = []
        for _ in 0 ..< 200_000 {
            var header = ProtoWriter()
            header.writeTag(2, .lengthDelimited)
            header.writeVarint(UInt64(reversed.count))
            reversed.append(contentsOf: header.bytes.reversed())
        }
        assertDecodeFails(Tree.self, Array(reversed.reversed()), .nestingTooDeep)
    }

    func testSubMessageWithGarbageInsideFails() {
        // extra (field 3) contains field 0.
        assertDecodeFails(Tree.self, hex("1a020001"), .invalidFieldNumber)
    }

    func testEmptyInputIsTheDefaultMessage() {
        XCTAssertEqual(decode(Scalars.self, []), Scalars())
        XCTAssertEqual(try Scalars(serializedBuffer: UnsafeRawBufferPointer(start: nil, count: 0)), Scalars())
    }
}
