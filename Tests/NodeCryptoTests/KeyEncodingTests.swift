import NodeCrypto
import XCTest

final class KeyEncodingTests: XCTestCase {
    func testPublicKeyPEMIsByteIdenticalToPythonCryptography() throws {
        for (privatePEM, publicPEM) in [
            (PythonVectors.p384PrivatePKCS8, PythonVectors.p384PrivatePublicPEM),
            (PythonVectors.p384PrivateSEC1, PythonVectors.p384PrivatePublicPEM),
            (PythonVectors.p256PrivatePKCS8, PythonVectors.p256PrivatePublicPEM),
        ] {
            let key = try XCTUnwrap(ECPrivateKey(privateKeyPEM: bytes(privatePEM)))
            XCTAssertEqual(String(decoding: key.publicKeyPEM, as: UTF8.self), publicPEM)
        }
    }

    func testGeneratedKeyPEMShape() {
        let pem = String(decoding: ECPrivateKey.generateP384().publicKeyPEM, as: UTF8.self)
        let lines = pem.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "-----BEGIN PUBLIC KEY-----")
        XCTAssertEqual(lines.dropLast().last, "-----END PUBLIC KEY-----")
        XCTAssertEqual(lines.last, "", "ends with a newline")
        // 120-byte P-384 SPKI → 160 base64 characters → 64 + 64 + 32.
        XCTAssertEqual(lines.dropFirst().dropLast(2).map(\.count), [64, 64, 32])
        XCTAssertTrue(PublicKeyValidation.isValidNISTCurvePEM(Array(pem.utf8)))
    }

    func testPrivateKeyLoadRejectsGarbage() {
        XCTAssertNil(ECPrivateKey(privateKeyPEM: bytes("nope")))
        XCTAssertNil(ECPrivateKey(privateKeyPEM: []))
        XCTAssertNil(ECPrivateKey(privateKeyPEM: bytes(PythonVectors.p384PublicPEM)))
    }

    func testNISTCurveValidation() {
        for pem in [PythonVectors.p256PublicPEM, PythonVectors.p384PublicPEM, PythonVectors.p521PublicPEM,
                    PythonVectors.p224PublicPEM, PythonVectors.p192PublicPEM] {
            XCTAssertTrue(PublicKeyValidation.isValidNISTCurvePEM(bytes(pem)), pem)
        }
        for pem in [PythonVectors.ed25519PublicPEM, PythonVectors.rsaPublicPEM, PythonVectors.secp256k1PublicPEM,
                    PythonVectors.brainpoolP256r1PublicPEM, "garbage", "", PythonVectors.p384PrivatePKCS8] {
            XCTAssertFalse(PublicKeyValidation.isValidNISTCurvePEM(bytes(pem)), pem)
        }
    }
}
