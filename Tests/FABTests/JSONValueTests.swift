@testable import FAB
import XCTest

/// The one JSON reader/writer (FAB's `.META`, SuperLink's run-table JSON), against Python's `json`.
final class JSONValueTests: XCTestCase {
    /// `json.dumps` of the same dict in Python 3.11.
    func testWritesWhatPythonDumps() {
        let value = JSONValue.object([
            ("a", .int(1)), ("b", .double(1.5)), ("c", .bool(true)), ("d", .null),
            ("e", .string("é\n\"\\\u{1}")), ("f", .array([.int(1), .double(-2.0)])),
            ("g", .double(1e16)), ("h", .double(1e-5)), ("i", .object([])), ("j", .array([])),
        ])
        XCTAssertEqual(value.pythonJSON, #"{"a": 1, "b": 1.5, "c": true, "d": null, "e": "\u00e9\n\"\\\u0001", "f": [1, -2.0], "g": 1e+16, "h": 1e-05, "i": {}, "j": []}"#)
    }

    func testParseRoundTripsAndKeepsOrder() {
        let text = #"{"z": [1, 2.5, "x"], "a": {"k": null, "t": false}, "e": "\u00e9\/"}"#
        let parsed = JSONValue.parse(text)
        XCTAssertEqual(parsed, .object([
            ("z", .array([.int(1), .double(2.5), .string("x")])),
            ("a", .object([("k", .null), ("t", .bool(false))])),
            ("e", .string("é/")),
        ]))
        XCTAssertEqual(JSONValue.parse(Array(text.utf8)), parsed)
        XCTAssertEqual(JSONValue.parse(#"[NaN, -Infinity]"#), .array([.double(.nan), .double(-.infinity)]))
    }

    /// What Python's `json.loads` refuses (strict mode), and text that is not UTF-8.
    func testParseRejects() {
        for text in [#"{"a": "\x"}"#, "[\"\u{1}\"]", #"{"a" 1}"#, "[1,]", "", "{} x", #"{"a": 1"#] {
            XCTAssertNil(JSONValue.parse(text), text)
        }
        XCTAssertNil(JSONValue.parse([0x22, 0xFF, 0x22]))
    }

    func testMetaStringMap() {
        XCTAssertEqual(FABStore.stringMap(Array(#"{"k": "v", "k": "w", "e": "\u00e9"}"#.utf8)), ["k": "w", "e": "é"])
        XCTAssertEqual(FABStore.stringMap(Array(" {} ".utf8)), [:])
        XCTAssertNil(FABStore.stringMap(Array(#"{"k": 1}"#.utf8)))
        XCTAssertNil(FABStore.stringMap(Array(#"["k"]"#.utf8)))
        XCTAssertEqual(FABStore.pythonJSON([("b", "1"), ("a", "é")]), #"{"b": "1", "a": "\u00e9"}"#)
    }
}
