import RPC
import XCTest

/// How a detail string must look.
enum Detail: Sendable, ExpressibleByStringInterpolation {
    case exactly(String)
    case prefix(String)
    case any

    init(stringLiteral value: String) { self = .exactly(value) }

    init(stringInterpolation: DefaultStringInterpolation) { self = .exactly(String(stringInterpolation: stringInterpolation)) }

    func matches(_ message: String) -> Bool {
        switch self {
        case .exactly(let s): return message == s
        case .prefix(let p): return message.hasPrefix(p)
        case .any: return true
        }
    }
}

/// Asserts `body` fails with exactly this gRPC code and detail string.
func assertStatus<T>(
    _ code: StatusCode, _ detail: Detail, file: StaticString = #filePath, line: UInt = #line,
    _ body: () async throws -> T
) async {
    do {
        let value = try await body()
        XCTFail("expected \(code) \(detail), got success: \(value)", file: file, line: line)
    } catch let status as RPCStatus {
        XCTAssertEqual(status.code, code, "detail was \"\(status.message)\"", file: file, line: line)
        XCTAssertTrue(detail.matches(status.message), "unexpected detail \"\(status.message)\" (\(status.code))",
            file: file, line: line)
    } catch {
        XCTFail("expected an RPCStatus, got \(error)", file: file, line: line)
    }
}
