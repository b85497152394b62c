/// TLS material for an HTTPS listener, as PEM bytes (what `--ssl-certfile`/`--ssl-keyfile`
/// contain). Client certificates are never requested.
public struct HTTPTLSConfig: Sendable, Equatable {
    /// The server certificate, optionally followed by intermediates.
    public var certificateChainPEM: [UInt8]
    /// The server's private key (unencrypted PEM).
    public var privateKeyPEM: [UInt8]

    public init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }
}
