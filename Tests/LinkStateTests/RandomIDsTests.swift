import LinkState
import XCTest

final class RandomIDsTests: XCTestCase {
    func testTokensAndIDs() {
        let a = RandomIDs.appToken(), b = RandomIDs.appToken()
        XCTAssertEqual(a.count, 256)
        XCTAssertNotEqual(a, b)
        for _ in 0..<1000 { XCTAssertGreaterThan(RandomIDs.nodeOrRunID(), 1) }
    }
}
