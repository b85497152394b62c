/// Sends the messages of a server-streaming call.
///
/// ```swift
/// server.registerServerStreaming("/pkg.Service/Watch") { request, context, writer in
///     for chunk in chunks { try await writer.send(chunk) }
/// }
/// ```
public struct ServerStreamWriter: Sendable {
    let call: ServerCall

    /// Sends one message. Returns once the core has accepted it for sending (one message is in
    /// flight at a time, so a slow reader slows the handler down). Throws `RPCStatus(.cancelled)`
    /// once the call is cancelled or over. Do not call concurrently from several tasks.
    public func send(_ message: [UInt8]) async throws {
        try await call.send(message)
    }
}

/// A `ServerStreamWriter` that encodes typed messages first.
public struct MessageStreamWriter<Message>: Sendable {
    public let raw: ServerStreamWriter
    let encode: @Sendable (Message) -> [UInt8]

    public init(raw: ServerStreamWriter, encode: @escaping @Sendable (Message) -> [UInt8]) {
        self.raw = raw
        self.encode = encode
    }

    /// Encodes and sends one message; see `ServerStreamWriter.send(_:)`.
    public func send(_ message: Message) async throws {
        try await raw.send(encode(message))
    }
}
