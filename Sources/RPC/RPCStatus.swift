/// A call's final status: a code plus a human-readable detail string (`grpc-message`).
///
/// Handlers throw it to end a call with that exact code and message; the client side throws it
/// when a call ends with anything but `.ok`. The message travels as UTF-8 (the C core
/// percent-encodes it on the wire), so non-ASCII text round-trips unchanged.
public struct RPCStatus: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(_ code: StatusCode, _ message: String = "") {
        self.code = code
        self.message = message
    }

    public var description: String {
        message.isEmpty ? code.name : "\(code.name): \(message)"
    }
}
