import CSSL

/// A server `SSL_CTX` loaded from PEM bytes: TLS 1.2+, the certificate chain and key checked to
/// match when it is made.
///
/// `@unchecked Sendable`: the context is configured completely in `init` and never mutated
/// afterwards; OpenSSL allows concurrent `SSL_new` on a configured context. Freed in `deinit`.
final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer

    init(_ config: HTTPTLSConfig) throws(HTTPError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .tls("cannot create a TLS context") }
        self.ctx = ctx
        _ = sepal_ssl_ctx_set_min_tls12(ctx)
        sepal_ssl_ctx_harden(ctx)
        ERR_clear_error()

        let certificates = try Self.readCertificates(config.certificateChainPEM)
        defer { for c in certificates { X509_free(c) } }
        guard let leaf = certificates.first else { throw .tls("no certificate in the certificate file") }
        guard SSL_CTX_use_certificate(ctx, leaf) == 1 else { throw .tls("certificate rejected: \(Self.lastError())") }
        for intermediate in certificates.dropFirst() {
            guard sepal_ssl_ctx_add1_chain_cert(ctx, intermediate) == 1 else {
                throw .tls("intermediate certificate rejected: \(Self.lastError())")
            }
        }
        let key = try Self.readKey(config.privateKeyPEM)
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(ctx, key) == 1 else { throw .tls("private key rejected: \(Self.lastError())") }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw .tls("the private key does not match the certificate")
        }
    }

    deinit {
        SSL_CTX_free(ctx)
    }

    private static func readCertificates(_ pem: [UInt8]) throws(HTTPError) -> [OpaquePointer] {
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32(clamping: $0.count)) }) else {
            throw .tls("cannot read the certificate file")
        }
        defer { BIO_free(bio) }
        var certificates: [OpaquePointer] = []
        while let cert = PEM_read_bio_X509(bio, nil, nil, nil) { certificates.append(cert) }
        ERR_clear_error()  // the loop ends on a "no start line" error
        return certificates
    }

    private static func readKey(_ pem: [UInt8]) throws(HTTPError) -> OpaquePointer {
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32(clamping: $0.count)) }) else {
            throw .tls("cannot read the key file")
        }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw .tls("no private key in the key file: \(lastError())")
        }
        return key
    }

    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
