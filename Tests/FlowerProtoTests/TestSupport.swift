import FlowerProto
import XCTest

func hex(_ string: String) -> [UInt8] {
    let digits = Array(string.filter(\.isHexDigit).utf8)
    precondition(digits.count % 2 == 0, "odd hex string")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
    return String(decoding: out, as: UTF8.self)
}

/// Asserts that `message` encodes to `expectedHex`, that its size agrees, and that decoding
/// those bytes gives `message` back.
func assertWire<M: ProtoMessage>(_ message: M, _ expectedHex: String, file: StaticString = #filePath, line: UInt = #line) {
    let bytes = message.serializedBytes()
    XCTAssertEqual(hex(bytes), expectedHex, "\(M.self) encoding", file: file, line: line)
    XCTAssertEqual(message.serializedSize, bytes.count, "\(M.self) serializedSize", file: file, line: line)
    do {
        let decoded = try M(serializedBytes: hex(expectedHex))
        XCTAssertEqual(decoded, message, "\(M.self) decoding", file: file, line: line)
    } catch {
        XCTFail("\(M.self) decoding failed: \(error)", file: file, line: line)
    }
}

extension FlwrScalar {
    static func double(_ value: Double) -> FlwrScalar { with(.double(value)) }
    static func sint64(_ value: Int64) -> FlwrScalar { with(.sint64(value)) }
    static func uint64(_ value: UInt64) -> FlwrScalar { with(.uint64(value)) }
    static func bool(_ value: Bool) -> FlwrScalar { with(.bool(value)) }
    static func string(_ value: String) -> FlwrScalar { with(.string(value)) }
    static func bytes(_ value: [UInt8]) -> FlwrScalar { with(.bytes(value)) }

    private static func with(_ scalar: FlwrScalar.Scalar) -> FlwrScalar {
        var result = FlwrScalar()
        result.scalar = scalar
        return result
    }
}

extension FlwrConfigRecord {
    /// Items in the given order (Python keeps insertion order).
    init(_ items: [(String, FlwrConfigRecordValue.Value)]) {
        self.init()
        self.items = items.map { key, value in
            var item = FlwrConfigRecord.Item()
            item.key = key
            var wrapped = FlwrConfigRecordValue()
            wrapped.value = value
            item.value = wrapped
            return item
        }
    }
}

extension FlwrMetricRecord {
    init(_ items: [(String, FlwrMetricRecordValue.Value)]) {
        self.init()
        self.items = items.map { key, value in
            var item = FlwrMetricRecord.Item()
            item.key = key
            var wrapped = FlwrMetricRecordValue()
            wrapped.value = value
            item.value = wrapped
            return item
        }
    }
}
