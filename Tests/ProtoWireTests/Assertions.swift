import ProtoWire
import XCTest

/// Asserts that decoding `bytes` as `M` throws exactly `expected`.
func assertDecodeFails<M: ProtoMessage>(
    _ type: M.Type, _ bytes: [UInt8], _ expected: ProtoDecodeError,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let message = try M(serializedBytes: bytes)
        XCTFail("decoded \(message) from \(hex(bytes)), expected \(expected)", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, "input \(hex(bytes))", file: file, line: line)
    }
}

/// Decodes `bytes` as `M`, failing the test (not trapping) on error.
func decode<M: ProtoMessage>(
    _ type: M.Type, _ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line
) -> M? {
    do {
        return try M(serializedBytes: bytes)
    } catch {
        XCTFail("decoding \(hex(bytes)) failed: \(error)", file: file, line: line)
        return nil
    }
}
