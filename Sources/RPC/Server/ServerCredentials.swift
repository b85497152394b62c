import CGRPC

/// `grpc_server_credentials` from our config (+1; the caller releases).
enum ServerCredentials {
    static func make(_ tls: TLSServerConfig?) throws(RPCError) -> OpaquePointer {
        guard let tls else { return grpc_insecure_server_credentials_create() }
        let chain = try PEM.cString(tls.certificateChainPEM, what: "certificate chain")
        let key = try PEM.cString(tls.privateKeyPEM, what: "private key")
        let roots = try tls.rootCertificatesPEM.map { (pem) throws(RPCError) in try PEM.cString(pem, what: "root certificates") }
        let credentials: OpaquePointer? = chain.withUnsafeBufferPointer { chain in
            key.withUnsafeBufferPointer { key in
                var pair = grpc_ssl_pem_key_cert_pair(private_key: key.baseAddress, cert_chain: chain.baseAddress)
                return PEM.withOptionalCString(roots) { roots in
                    grpc_ssl_server_credentials_create_ex(
                        roots, &pair, 1, GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE, nil)
                }
            }
        }
        guard let credentials else { throw .tls("the C core rejected the certificate or key") }
        return credentials
    }
}

/// PEM bytes as NUL-terminated C strings.
enum PEM {
    static func cString(_ pem: [UInt8], what: String) throws(RPCError) -> [CChar] {
        guard !pem.isEmpty else { throw .tls("empty \(what)") }
        guard !pem.contains(0) else { throw .tls("\(what) contains a NUL byte") }
        return pem.map { CChar(bitPattern: $0) } + [0]
    }

    static func withOptionalCString<R>(_ string: [CChar]?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
