import CCrypto
import CNettle

/// A secp384r1 public key in Nettle's form, for the fast verification path.
///
/// Nettle's `ecdsa_verify` performs the complete ECDSA check (r, s in [1, q−1], u1·G + u2·Q,
/// x-coordinate comparison) in about half the CPU of Debian's OpenSSL 3.0 for this curve. The
/// point is validated once (it must lie on the curve) when the key is first parsed.
///
/// `@unchecked Sendable` invariant: the `ecc_point` is written only in `init` and then only
/// read; Nettle's verification takes it `const` and keeps its scratch space per call.
final class P384Point: @unchecked Sendable {
    private let point: UnsafeMutablePointer<ecc_point>

    /// The coordinate length of P-384 in bytes.
    static let coordinateLength = 48

    /// The point of an OpenSSL EC key on secp384r1; nil for another curve or if Nettle rejects it.
    init?(_ pkey: OpaquePointer) {
        guard let x = Self.coordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_X),
              let y = Self.coordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_Y),
              let made = sepal_p384_point_new(x, y)
        else { return nil }
        point = made
    }

    deinit { sepal_p384_point_free(point) }

    /// ECDSA-SHA256 verification of a DER signature over `message`.
    func verify(signature der: [UInt8], message: [UInt8]) -> Bool {
        guard let (r, s) = StrictECDSASignature.components(der, length: Self.coordinateLength) else { return false }
        let digest = Digest.sha256(message)
        return sepal_p384_verify(point, digest, digest.count, r, r.count, s, s.count) == 1
    }

    /// One affine coordinate as 48 big-endian bytes.
    private static func coordinate(_ pkey: OpaquePointer, _ name: String) -> [UInt8]? {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else {
            discardOpenSSLErrors()
            return nil
        }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: coordinateLength)
        guard BN_bn2binpad(bn, &out, Int32(coordinateLength)) == Int32(coordinateLength) else { return nil }
        return out
    }
}
