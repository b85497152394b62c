import NodeCrypto
import XCTest

final class FlowerTimestampTests: XCTestCase {
    /// `datetime.fromtimestamp(t, timezone.utc).isoformat()` in Python 3.11.
    func testIsoformatMatchesPython() {
        let vectors: [(Double, String)] = [
            (0, "1970-01-01T00:00:00+00:00"),
            (1.5, "1970-01-01T00:00:01.500000+00:00"),
            (1796333280.233341, "2026-12-03T21:28:00.233341+00:00"),
            (1e9, "2001-09-09T01:46:40+00:00"),
            (1796333280.0000005, "2026-12-03T21:28:00+00:00"),
            (1796333280.0000015, "2026-12-03T21:28:00.000001+00:00"),
            (1796333280.9999996, "2026-12-03T21:28:01+00:00"),
            (1700000000.000001, "2023-11-14T22:13:20.000001+00:00"),
            (951782400.25, "2000-02-29T00:00:00.250000+00:00"),
        ]
        for (seconds, text) in vectors {
            XCTAssertEqual(FlowerTimestamp.isoformat(unixSeconds: seconds), text, "\(seconds)")
        }
    }

    /// `datetime.fromisoformat(s).timestamp()` in Python 3.11.
    func testParseMatchesPython() {
        let vectors: [(String, Double)] = [
            ("2026-03-20T10:00:00.123456+00:00", 1774000800.123456),
            ("2026-03-20T10:00:00+00:00", 1774000800.0),
            ("2026-03-20T10:00:00Z", 1774000800.0),
            ("2026-03-20T10:00:00.1+00:00", 1774000800.1),
            ("2026-03-20T10:00:00.1234+00:00", 1774000800.1234),
            ("2026-03-20T10:00:00.1234567+00:00", 1774000800.123456),
            ("2026-03-20T10:00:00.123456+05:30", 1773981000.123456),
            ("2026-03-20T10:00:00.123456-08:00", 1774029600.123456),
            ("2026-03-20 10:00:00+00:00", 1774000800.0),
            ("2026-03-20T10:00+00:00", 1774000800.0),
            ("2026-03-20T10:00:00,5+00:00", 1774000800.5),
            ("2026-03-20T10:00:00.123456+0000", 1774000800.123456),
            ("2026-03-20T10:00:00.123456+00", 1774000800.123456),
            ("2026-03-20T10:00:00.123456+00:00:30", 1774000770.123456),
            (PythonVectors.timestamp, PythonVectors.timestampUnix),
            ("2000-02-29T00:00:00+00:00", 951782400),
            ("1969-12-31T23:59:59.5+00:00", -0.5),
        ]
        for (text, seconds) in vectors {
            XCTAssertEqual(FlowerTimestamp.parse(text), seconds, text)
        }
    }

    func testParseRejects() {
        for text in ["", "hello", "2026-03-20T10:00:00", "2026-03-20T24:00:00+00:00", "2026-02-30T10:00:00+00:00",
                     "2026-13-01T00:00:00+00:00", "2026-03-20T10:60:00+00:00", "2026-03-20T10:00:00.+00:00",
                     "2026-03-20T10:00:00+24:00", "2026-03-20T10:00:00+00:00x", "2026-3-20T10:00:00+00:00"] {
            XCTAssertNil(FlowerTimestamp.parse(text), text)
        }
    }

    func testRoundTripAndNow() {
        let now = FlowerTimestamp.now()
        XCTAssertGreaterThan(now, 1_700_000_000)
        let parsed = FlowerTimestamp.parse(FlowerTimestamp.isoformat(unixSeconds: now))!
        XCTAssertEqual(parsed, now, accuracy: 1e-6)
    }
}
