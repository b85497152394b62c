import CCrypto

/// A parsed EC public key (`EVP_PKEY`), plus its Nettle form when it is on P-384 (the curve
/// SuperNodes use), which verifies in about half the time of OpenSSL 3.0's generic code.
///
/// `@unchecked Sendable` invariant: the `EVP_PKEY` is never mutated after `init`, and
/// OpenSSL 3 allows a const `EVP_PKEY` to be used by many threads at once for
/// verification (each call builds its own `EVP_MD_CTX`/`EVP_PKEY_CTX`).
final class ECPublicKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// Set iff the key is on secp384r1.
    private let p384: P384Point?

    /// Parses a PEM SubjectPublicKeyInfo; returns nil unless it is an EC key.
    init?(pem: [UInt8]) {
        guard !pem.isEmpty, pem.count <= Int(Int32.max) else { return nil }
        let parsed: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let parsed else {
            discardOpenSSLErrors()
            return nil
        }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_EC else {
            EVP_PKEY_free(parsed)
            return nil
        }
        pkey = parsed
        p384 = P384Point(parsed)
    }

    deinit { EVP_PKEY_free(pkey) }

    /// True iff verification takes the Nettle P-384 path.
    var usesNettle: Bool { p384 != nil }

    /// The curve's OpenSSL group name, e.g. "secp384r1" or "prime256v1".
    var groupName: String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        let ok = EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, &buffer, buffer.count, &length)
        guard ok == 1 else {
            discardOpenSSLErrors()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One ECDSA-SHA256 verification of a DER signature: Nettle's for P-384, otherwise
    /// exactly one `EVP_DigestVerify`.
    func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        if let p384 { return p384.verify(signature: signature, message: message) }
        return verifyWithOpenSSL(signature: signature, message: message)
    }

    /// The OpenSSL path, used for every curve but P-384 (and by tests to cross-check Nettle).
    func verifyWithOpenSSL(signature: [UInt8], message: [UInt8]) -> Bool {
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit_ex(ctx, nil, "SHA256", nil, nil, pkey, nil) == 1 else {
            discardOpenSSLErrors()
            return false
        }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(ctx, sig.baseAddress, sig.count, msg.baseAddress, msg.count)
            }
        }
        if result != 1 { discardOpenSSLErrors() }
        return result == 1
    }
}
