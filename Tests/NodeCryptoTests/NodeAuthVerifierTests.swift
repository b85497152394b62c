import FlowerTime
import NodeCrypto
import XCTest

final class NodeAuthVerifierTests: XCTestCase {
    private let verifier = NodeAuthVerifier()

    func testRoundTripSignAndVerify() {
        let key = ECPrivateKey.generateP384()
        let now = FlowerTimestamp.now()
        let ts = FlowerTimestamp.iso(now)
        let signature = key.sign(bytes(ts))
        XCTAssertNoThrow(try verifier.verify(publicKeyPEM: key.publicKeyPEM, timestamp: ts, signature: signature, now: now).get())
    }

    func testPythonCryptographySignatureVerifies() {
        let result = verifier.verify(
            publicKeyPEM: bytes(PythonVectors.p384PublicPEM), timestamp: PythonVectors.timestamp,
            signature: fromHex(PythonVectors.signatureHex), now: PythonVectors.timestampUnix + 1)
        XCTAssertNoThrow(try result.get())
    }

    func testWrongKeyIsInvalidSignature() {
        let other = ECPrivateKey.generateP384()
        let result = verifier.verify(
            publicKeyPEM: other.publicKeyPEM, timestamp: PythonVectors.timestamp,
            signature: fromHex(PythonVectors.signatureHex), now: PythonVectors.timestampUnix)
        XCTAssertEqual(failure(result), .invalidSignature)
    }

    func testFlippedSignatureBitIsInvalidSignature() {
        var signature = fromHex(PythonVectors.signatureHex)
        signature[20] ^= 0x01
        let result = verifier.verify(
            publicKeyPEM: bytes(PythonVectors.p384PublicPEM), timestamp: PythonVectors.timestamp,
            signature: signature, now: PythonVectors.timestampUnix)
        XCTAssertEqual(failure(result), .invalidSignature)
    }

    func testWrongTimestampIsInvalidSignature() {
        let other = "2026-12-03T21:28:00.233342+00:00"
        let result = verifier.verify(
            publicKeyPEM: bytes(PythonVectors.p384PublicPEM), timestamp: other,
            signature: fromHex(PythonVectors.signatureHex), now: PythonVectors.timestampUnix)
        XCTAssertEqual(failure(result), .invalidSignature)
    }

    func testBadSignatureWinsOverStaleTimestamp() {
        // Flower checks the signature first: a bad signature on a stale timestamp is "Invalid signature".
        let result = verifier.verify(
            publicKeyPEM: bytes(PythonVectors.p384PublicPEM), timestamp: PythonVectors.timestamp,
            signature: [0x30, 0x00], now: PythonVectors.timestampUnix + 10_000)
        XCTAssertEqual(failure(result), .invalidSignature)
    }

    func testReplayWindowEdges() {
        let key = ECPrivateKey.generateP384()
        let ts = "2026-03-20T10:00:00.500000+00:00"
        let sent = FlowerTimestamp.parse(ts)!
        let signature = key.sign(bytes(ts))
        func check(_ age: Double) -> NodeAuthFailure? {
            failure(verifier.verify(publicKeyPEM: key.publicKeyPEM, timestamp: ts, signature: signature, now: sent + age))
        }
        XCTAssertNil(check(0))
        XCTAssertNil(check(304.9))
        XCTAssertEqual(check(305.1), .invalidTimestamp)
        XCTAssertEqual(check(305), .invalidTimestamp, "upper bound is exclusive")
        XCTAssertNil(check(-4.9))
        XCTAssertEqual(check(-5.1), .invalidTimestamp)
        XCTAssertEqual(check(-5), .invalidTimestamp, "lower bound is exclusive")
    }

    func testUnparseableTimestampWithGoodSignatureIsInvalidTimestamp() {
        let key = ECPrivateKey.generateP384()
        for ts in ["hello", "2026-03-20T10:00:00.500000", ""] {
            let result = verifier.verify(publicKeyPEM: key.publicKeyPEM, timestamp: ts, signature: key.sign(bytes(ts)), now: 0)
            XCTAssertEqual(failure(result), .invalidTimestamp, ts)
        }
    }

    func testGarbageAndNonECKeysAreInvalidSignature() {
        let garbage: [[UInt8]] = [
            [], bytes("nope"), bytes("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"),
            Array(bytes(PythonVectors.p384PublicPEM).prefix(60)), bytes(PythonVectors.ed25519PublicPEM),
            bytes(PythonVectors.rsaPublicPEM), [UInt8](repeating: 0xFF, count: 4096),
        ]
        for pem in garbage {
            let result = verifier.verify(
                publicKeyPEM: pem, timestamp: PythonVectors.timestamp,
                signature: fromHex(PythonVectors.signatureHex), now: PythonVectors.timestampUnix)
            XCTAssertEqual(failure(result), .invalidSignature)
        }
        XCTAssertEqual(verifier.cachedKeyCount, 0, "unparseable keys must not enter the cache")
    }

    func testKeysAreCachedAndCacheIsBounded() {
        let small = NodeAuthVerifier(keyCacheCapacity: 2)
        let keys = (0..<3).map { _ in ECPrivateKey.generateP384() }
        let ts = FlowerTimestamp.iso(1_800_000_000)
        for key in keys + keys {
            let result = small.verify(publicKeyPEM: key.publicKeyPEM, timestamp: ts, signature: key.sign(bytes(ts)), now: 1_800_000_000)
            XCTAssertNil(failure(result))
            XCTAssertLessThanOrEqual(small.cachedKeyCount, 2)
        }
        XCTAssertEqual(small.cachedKeyCount, 2)
    }

    func testConcurrentVerifiersShareKeys() {
        let key = ECPrivateKey.generateP384()
        let pem = key.publicKeyPEM
        let ts = FlowerTimestamp.iso(1_800_000_000)
        let good = key.sign(bytes(ts))
        var flipped = good
        flipped[flipped.count - 1] ^= 1
        let bad = flipped
        let verifier = self.verifier
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let result = verifier.verify(publicKeyPEM: pem, timestamp: ts, signature: i % 2 == 0 ? good : bad, now: 1_800_000_000)
            let expected: NodeAuthFailure? = i % 2 == 0 ? nil : .invalidSignature
            if failure(result) != expected { failures.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        XCTAssertEqual(verifier.cachedKeyCount, 1)
    }
}

import Synchronization

func failure(_ result: Result<Void, NodeAuthFailure>) -> NodeAuthFailure? {
    if case .failure(let error) = result { return error }
    return nil
}
