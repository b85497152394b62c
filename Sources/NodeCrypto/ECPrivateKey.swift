import CCrypto

/// An EC private key for signing node-auth metadata (load generator, Swift SuperNode).
///
/// `@unchecked Sendable` invariant: the `EVP_PKEY` is never mutated after `init`; each
/// `sign` call uses its own `EVP_MD_CTX`, which OpenSSL 3 permits concurrently.
public final class ECPrivateKey: @unchecked Sendable {
    private let pkey: OpaquePointer

    private init(pkey: OpaquePointer) {
        self.pkey = pkey
    }

    deinit { EVP_PKEY_free(pkey) }

    /// A fresh SECP384R1 key, the curve Python SuperNodes use.
    public static func generateP384() -> ECPrivateKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            fatalError("OpenSSL: no EC key generation context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1,
              EVP_PKEY_CTX_set_group_name(ctx, "secp384r1") == 1,
              EVP_PKEY_generate(ctx, &generated) == 1,
              let generated
        else { fatalError("OpenSSL: P-384 key generation failed") }
        return ECPrivateKey(pkey: generated)
    }

    /// Loads a PEM EC private key ("BEGIN PRIVATE KEY" PKCS#8 or "BEGIN EC PRIVATE KEY"
    /// SEC1, unencrypted); nil if it does not parse or is not EC.
    public convenience init?(privateKeyPEM pem: [UInt8]) {
        guard !pem.isEmpty, pem.count <= Int(Int32.max) else { return nil }
        let parsed: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let parsed else {
            discardOpenSSLErrors()
            return nil
        }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_EC else {
            EVP_PKEY_free(parsed)
            return nil
        }
        self.init(pkey: parsed)
    }

    /// DER SubjectPublicKeyInfo of the public half.
    public var publicKeyDER: [UInt8] {
        let length = i2d_PUBKEY(pkey, nil)
        guard length > 0 else { fatalError("OpenSSL: cannot encode public key") }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_PUBKEY(pkey, &cursor)
        }
        return der
    }

    /// EXACTLY: "-----BEGIN PUBLIC KEY-----\n" + base64(DER SPKI) wrapped at 64 + "\n-----END PUBLIC KEY-----\n"
    /// (what Python cryptography emits). This is the node's identity on the SuperLink.
    public var publicKeyPEM: [UInt8] {
        PEMEncoding.publicKeyPEM(spkiDER: publicKeyDER)
    }

    /// DER (X9.62) ECDSA-SHA256 signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("OpenSSL: no digest context") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit_ex(ctx, nil, "SHA256", nil, nil, pkey, nil) == 1 else {
            fatalError("OpenSSL: DigestSignInit failed")
        }
        var length = 0
        let sized = message.withUnsafeBufferPointer { msg in
            EVP_DigestSign(ctx, nil, &length, msg.baseAddress, msg.count)
        }
        guard sized == 1 else { fatalError("OpenSSL: DigestSign sizing failed") }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = signature.withUnsafeMutableBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestSign(ctx, sig.baseAddress, &length, msg.baseAddress, msg.count)
            }
        }
        guard signed == 1 else { fatalError("OpenSSL: DigestSign failed") }
        return Array(signature.prefix(length))
    }
}
