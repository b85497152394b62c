import LinkState
import XCTest

/// Expected strings produced by Python's `datetime.fromtimestamp(t, UTC).isoformat()` and SQLite's
/// `strftime('%Y-%m-%dT%H:%M:%f+00:00', t, 'unixepoch')`.
final class FlowerTimeTests: XCTestCase {
    func testIsoMatchesPython() {
        XCTAssertEqual(FlowerTime.iso(1767225600.0), "2026-01-01T00:00:00+00:00")
        XCTAssertEqual(FlowerTime.iso(1767225600.00531), "2026-01-01T00:00:00.005310+00:00")
        XCTAssertEqual(FlowerTime.iso(1796408248.00531), "2026-12-04T18:17:28.005310+00:00")
        XCTAssertEqual(FlowerTime.iso(951782400.5), "2000-02-29T00:00:00.500000+00:00")
        XCTAssertEqual(FlowerTime.iso(1767225599.9999995), "2026-01-01T00:00:00+00:00")
        XCTAssertEqual(FlowerTime.iso(4102444800.25), "2100-01-01T00:00:00.250000+00:00")
        XCTAssertEqual(FlowerTime.iso(0), "1970-01-01T00:00:00+00:00")
    }

    func testMillisMatchesSQLite() {
        XCTAssertEqual(FlowerTime.isoMillis(1767225600.0), "2026-01-01T00:00:00.000+00:00")
        XCTAssertEqual(FlowerTime.isoMillis(1767225620.123456), "2026-01-01T00:00:20.123+00:00")
        XCTAssertEqual(FlowerTime.isoMillis(1767225600.9996), "2026-01-01T00:00:01.000+00:00")
    }

    func testIsoStringsSortChronologically() {
        // Run listings order by these strings: a dropped zero fraction must still sort first.
        let times = [1767225600.0, 1767225600.000001, 1767225600.5, 1767225601.0, 1767225610.25]
        let strings = times.map(FlowerTime.iso)
        XCTAssertEqual(strings, strings.sorted())
    }

    func testTokensAndIDs() {
        let a = RandomIDs.appToken(), b = RandomIDs.appToken()
        XCTAssertEqual(a.count, 256)
        XCTAssertNotEqual(a, b)
        for _ in 0..<1000 { XCTAssertGreaterThan(RandomIDs.nodeOrRunID(), 1) }
    }
}
