import CCrypto

/// DER `ECDSA-Sig-Value` parsing with OpenSSL's strictness: the bytes must be exactly the
/// canonical DER encoding of (r, s) — no trailing bytes, no non-minimal lengths or integers.
/// OpenSSL's own verification re-encodes and compares in the same way, so a signature accepted
/// here is one Flower's Python (`cryptography` over OpenSSL) would also accept, and vice versa.
enum StrictECDSASignature {
    /// r and s as `length`-byte big-endian integers; nil if `der` is not canonical or either
    /// integer does not fit in `length` bytes.
    static func components(_ der: [UInt8], length: Int) -> ([UInt8], [UInt8])? {
        guard !der.isEmpty, der.count <= 2 * length + 16 else { return nil }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let sig = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else { return nil }
            // All bytes consumed.
            guard let end = cursor, end == buffer.baseAddress! + buffer.count else {
                ECDSA_SIG_free(sig)
                return nil
            }
            return sig
        }
        guard let sig = parsed else {
            discardOpenSSLErrors()
            return nil
        }
        defer { ECDSA_SIG_free(sig) }
        // Canonical: re-encoding gives back exactly the input.
        var reencoded: UnsafeMutablePointer<UInt8>?
        let n = i2d_ECDSA_SIG(sig, &reencoded)
        guard n > 0, let reencoded else { return nil }
        defer { CRYPTO_free(reencoded, #fileID, #line) }
        guard Int(n) == der.count, der.withUnsafeBufferPointer({ memcmp($0.baseAddress!, reencoded, der.count) == 0 })
        else { return nil }
        guard let r = bytes(ECDSA_SIG_get0_r(sig), length), let s = bytes(ECDSA_SIG_get0_s(sig), length) else {
            return nil
        }
        return (r, s)
    }

    private static func bytes(_ bn: OpaquePointer?, _ length: Int) -> [UInt8]? {
        guard let bn else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        guard BN_bn2binpad(bn, &out, Int32(length)) == Int32(length) else { return nil }
        return out
    }
}
