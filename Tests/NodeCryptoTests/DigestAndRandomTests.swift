import NodeCrypto
import XCTest

final class DigestAndRandomTests: XCTestCase {
    func testSHA256KnownAnswers() {
        XCTAssertEqual(Digest.sha256Hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.sha256Hex(bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.sha256(bytes("abc")).count, 32)
    }

    func testSecureRandomShapes() {
        XCTAssertEqual(SecureRandom.bytes(0), [])
        XCTAssertEqual(SecureRandom.bytes(33).count, 33)
        XCTAssertNotEqual(SecureRandom.bytes(16), SecureRandom.bytes(16))
        let hex = SecureRandom.hex(byteCount: 128)
        XCTAssertEqual(hex.count, 256)
        XCTAssertTrue(hex.allSatisfy { "0123456789abcdef".contains($0) })
        XCTAssertNotEqual(SecureRandom.uint64(), SecureRandom.uint64())
    }
}
