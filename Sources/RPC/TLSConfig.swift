/// TLS material for a server, as PEM bytes (what `--ssl-certfile` etc. contain).
///
/// Client certificates are never requested (`require_client_auth = false`, as in Flower).
public struct TLSServerConfig: Sendable, Equatable {
    /// CA certificates; kept for parity with Flower's `--ssl-ca-certfile`, not used to verify
    /// clients since none are requested.
    public var rootCertificatesPEM: [UInt8]?
    /// The server certificate, optionally followed by intermediates.
    public var certificateChainPEM: [UInt8]
    /// The server's private key.
    public var privateKeyPEM: [UInt8]

    public init(rootCertificatesPEM: [UInt8]? = nil, certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.rootCertificatesPEM = rootCertificatesPEM
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// TLS settings for a channel.
public struct TLSClientConfig: Sendable, Equatable {
    /// Root certificates to trust, as PEM; `nil` uses the system's roots.
    public var rootCertificatesPEM: [UInt8]?

    public init(rootCertificatesPEM: [UInt8]? = nil) {
        self.rootCertificatesPEM = rootCertificatesPEM
    }
}
