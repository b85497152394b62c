/// Limits that keep a hostile or broken client from exhausting the server.
///
/// Every wait on a client has a deadline and every buffer a cap, so garbage, a huge
/// Content-Length, headers sent a byte at a time or a client vanishing mid-body cost at most one
/// connection slot for a bounded time.
public struct HTTPServerConfig: Sendable, Equatable {
    /// Request line plus headers, in bytes; more is answered 431 and the connection closed.
    public var maxHeaderBytes: Int = 64 * 1024
    /// Header fields per request; more is answered 431.
    public var maxHeaderCount: Int = 128
    /// Request body bytes (Content-Length); more is answered 413 without reading it. The default,
    /// 256 MiB, is far above what a Flower REST request carries (one Message or one object; array
    /// chunks are 5 MiB) and far below the 2 GiB−1 gRPC limit, which would let a single
    /// connection pin gigabytes. Bodies are buffered as they arrive, never preallocated from
    /// the announced length.
    public var maxBodyBytes: Int = 256 * 1024 * 1024
    /// Time for a whole request head (and the TLS handshake) once its first byte arrived.
    public var headerTimeout: Duration = .seconds(30)
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeout: Duration = .seconds(60)
    /// Longest silence while reading a body or writing a response.
    public var ioTimeout: Duration = .seconds(60)
    /// Connections served at once (one thread each); further ones get 503 and are closed.
    public var maxConnections: Int = 1024

    public init() {}
}
