import FlowerTime
@testable import NodeCrypto
import Synchronization
import XCTest

/// The P-384 fast path (Nettle) must accept exactly what OpenSSL's `EVP_DigestVerify` accepts —
/// Flower's Python SuperLink verifies through OpenSSL, so any disagreement would be a
/// compatibility bug or a hole. Every case is run through both and compared.
final class NettleVerifyTests: XCTestCase {
    /// The order q of P-384, big-endian.
    private static let order = fromHex(
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973")

    private func both(_ key: ECPublicKey, _ signature: [UInt8], _ message: [UInt8]) -> (nettle: Bool, openssl: Bool) {
        (key.verify(signature: signature, message: message), key.verifyWithOpenSSL(signature: signature, message: message))
    }

    private func p384(_ priv: ECPrivateKey) throws -> ECPublicKey {
        let key = try XCTUnwrap(ECPublicKey(pem: priv.publicKeyPEM))
        XCTAssertEqual(key.groupName, "secp384r1")
        XCTAssertTrue(key.usesNettle, "a P-384 key must take the Nettle path")
        return key
    }

    func testAgreesWithOpenSSLOnValidAndCorruptedSignatures() throws {
        for round in 0..<40 {
            let priv = ECPrivateKey.generateP384()
            let key = try p384(priv)
            let message = bytes(FlowerTimestamp.iso(1_800_000_000 + Double(round) * 0.37))
            let signature = priv.sign(message)
            XCTAssertTrue(both(key, signature, message) == (true, true))
            // Every byte of the DER flipped in one bit, and the message changed.
            for index in signature.indices where index % 3 == round % 3 {
                var bad = signature
                bad[index] ^= UInt8(1 << (round % 8))
                let verdict = both(key, bad, message)
                XCTAssertEqual(verdict.nettle, verdict.openssl, "byte \(index) of \(Hex.lowercase(signature))")
            }
            var otherMessage = message
            otherMessage[otherMessage.count - 7] ^= 0x01
            XCTAssertTrue(both(key, signature, otherMessage) == (false, false))
        }
    }

    func testNonCanonicalDERIsRefusedByBoth() throws {
        let priv = ECPrivateKey.generateP384()
        let key = try p384(priv)
        let message = bytes("2026-12-04T01:02:03.456789+00:00")
        let (r, s) = try XCTUnwrap(components(priv.sign(message)))
        let good = der(r, s)
        XCTAssertTrue(both(key, good, message) == (true, true))
        let variants: [String: [UInt8]] = [
            "trailing byte": good + [0x00],
            "long-form sequence length": [0x30, 0x81] + Array(good[1...]),
            // One zero more than the minimal encoding (which already has one if r's top bit is set).
            "extra leading zero in r": der((minimal(r)[0] & 0x80 != 0 ? [0, 0] : [0]) + minimal(r), s, rawR: true),
            "empty": [],
            "sequence only": [0x30, 0x00],
            "r only": Array(derInteger(r)).prefix(1) + [0x30],
        ]
        for (name, bad) in variants {
            XCTAssertTrue(both(key, bad, message) == (false, false), name)
        }
    }

    func testOutOfRangeScalarsAreRefusedAndHighSIsAcceptedByBoth() throws {
        let priv = ECPrivateKey.generateP384()
        let key = try p384(priv)
        let message = bytes("2026-12-04T01:02:03.456789+00:00")
        let (r, s) = try XCTUnwrap(components(priv.sign(message)))
        // ECDSA has no low-s rule: (r, q − s) is valid too, for OpenSSL and so for Flower.
        XCTAssertTrue(both(key, der(r, subtract(Self.order, s)), message) == (true, true))
        XCTAssertTrue(both(key, der([0], s), message) == (false, false), "r = 0")
        XCTAssertTrue(both(key, der(r, [0]), message) == (false, false), "s = 0")
        XCTAssertTrue(both(key, der(Self.order, s), message) == (false, false), "r = q")
        XCTAssertTrue(both(key, der(r, Self.order), message) == (false, false), "s = q")
        XCTAssertTrue(both(key, der(add(r, Self.order), s), message) == (false, false), "r + q (49 bytes)")
    }

    func testOtherCurvesKeepTheOpenSSLPath() throws {
        // A P-256 SPKI (Python cryptography, SECP256R1): parsed, not on the Nettle path.
        let key = try XCTUnwrap(ECPublicKey(pem: bytes(PythonVectors.p256PublicPEM)))
        XCTAssertEqual(key.groupName, "prime256v1")
        XCTAssertFalse(key.usesNettle)
        let priv = try XCTUnwrap(ECPrivateKey(privateKeyPEM: bytes(PythonVectors.p256PrivatePKCS8)))
        let signer = try XCTUnwrap(ECPublicKey(pem: priv.publicKeyPEM))
        XCTAssertFalse(signer.usesNettle)
        let message = bytes("2026-12-04T01:02:03.456789+00:00")
        XCTAssertTrue(signer.verify(signature: priv.sign(message), message: message))
        XCTAssertFalse(signer.verify(signature: priv.sign(message), message: message + [0x20]))
    }

    func testConcurrentVerificationOnOneKey() throws {
        let priv = ECPrivateKey.generateP384()
        let key = try p384(priv)
        let messages = (0..<64).map { bytes(FlowerTimestamp.iso(1_800_000_000 + Double($0))) }
        let signatures = messages.map { priv.sign($0) }
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 256) { i in
            let n = i % messages.count
            if !key.verify(signature: signatures[n], message: messages[n]) { failures.add(1, ordering: .relaxed) }
            if key.verify(signature: signatures[n], message: messages[(n + 1) % messages.count]) {
                failures.add(1, ordering: .relaxed)
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }

    // MARK: DER helpers (short-form lengths only; P-384 signatures are < 128 bytes)

    private func components(_ der: [UInt8]) -> ([UInt8], [UInt8])? {
        guard der.count > 8, der[0] == 0x30, der[2] == 0x02 else { return nil }
        let rLength = Int(der[3])
        let r = Array(der[4..<4 + rLength])
        guard der[4 + rLength] == 0x02 else { return nil }
        let sLength = Int(der[5 + rLength])
        let s = Array(der[6 + rLength..<6 + rLength + sLength])
        return (r, s)
    }

    private func minimal(_ value: [UInt8]) -> [UInt8] {
        let trimmed = Array(value.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }

    private func derInteger(_ value: [UInt8], raw: Bool = false) -> [UInt8] {
        var body = raw ? value : minimal(value)
        if !raw, body[0] & 0x80 != 0 { body.insert(0, at: 0) }
        return [0x02, UInt8(body.count)] + body
    }

    private func der(_ r: [UInt8], _ s: [UInt8], rawR: Bool = false) -> [UInt8] {
        let body = derInteger(r, raw: rawR) + derInteger(s)
        return [0x30, UInt8(body.count)] + body
    }

    private func padded(_ x: [UInt8], _ n: Int) -> [UInt8] {
        let m = minimal(x)
        return [UInt8](repeating: 0, count: max(0, n - m.count)) + m
    }

    private func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let n = max(a.count, b.count)
        let x = padded(a, n), y = padded(b, n)
        var out = [UInt8](repeating: 0, count: n)
        var borrow = 0
        for i in stride(from: n - 1, through: 0, by: -1) {
            var d = Int(x[i]) - Int(y[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }

    private func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let n = max(a.count, b.count) + 1
        let x = padded(a, n), y = padded(b, n)
        var out = [UInt8](repeating: 0, count: n)
        var carry = 0
        for i in stride(from: n - 1, through: 0, by: -1) {
            let d = Int(x[i]) + Int(y[i]) + carry
            carry = d >> 8
            out[i] = UInt8(d & 0xFF)
        }
        return out
    }
}
