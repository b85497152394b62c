import FlowerTime
import XCTest

final class FlowerTimestampTests: XCTestCase {
    /// `datetime.fromtimestamp(t, timezone.utc).isoformat()` in Python 3.11.
    func testIsoMatchesPython() {
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
            (1767225600.0, "2026-01-01T00:00:00+00:00"),
            (1767225600.00531, "2026-01-01T00:00:00.005310+00:00"),
            (1796408248.00531, "2026-12-04T18:17:28.005310+00:00"),
            (951782400.5, "2000-02-29T00:00:00.500000+00:00"),
            (1767225599.9999995, "2026-01-01T00:00:00+00:00"),
            (4102444800.25, "2100-01-01T00:00:00.250000+00:00"),
        ]
        for (seconds, text) in vectors {
            XCTAssertEqual(FlowerTimestamp.iso(seconds), text, "\(seconds)")
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
            ("2026-12-03T21:28:00.233341+00:00", 1796333280.233341),
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
        let parsed = FlowerTimestamp.parse(FlowerTimestamp.iso(now))!
        XCTAssertEqual(parsed, now, accuracy: 1e-6)
    }

    /// SQLite's `strftime('%Y-%m-%dT%H:%M:%f+00:00', t, 'unixepoch')`.
    func testMillisMatchesSQLite() {
        XCTAssertEqual(FlowerTimestamp.isoMillis(1767225600.0), "2026-01-01T00:00:00.000+00:00")
        XCTAssertEqual(FlowerTimestamp.isoMillis(1767225620.123456), "2026-01-01T00:00:20.123+00:00")
        XCTAssertEqual(FlowerTimestamp.isoMillis(1767225600.9996), "2026-01-01T00:00:01.000+00:00")
        XCTAssertEqual(FlowerTimestamp.isoMillis(0), "1970-01-01T00:00:00.000+00:00")
        XCTAssertEqual(FlowerTimestamp.isoMillis(-0.25), "1969-12-31T23:59:59.750+00:00")
    }

    func testIsoStringsSortChronologically() {
        // Run listings order by these strings: a dropped zero fraction must still sort first.
        let times = [1767225600.0, 1767225600.000001, 1767225600.5, 1767225601.0, 1767225610.25]
        let strings = times.map(FlowerTimestamp.iso)
        XCTAssertEqual(strings, strings.sorted())
    }
}
