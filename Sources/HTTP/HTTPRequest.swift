/// One parsed HTTP/1.x request with its complete body.
public struct HTTPRequest: Sendable, Equatable {
    public enum Version: Sendable, Equatable {
        case http10, http11
    }

    /// As sent, e.g. `POST` (methods are case-sensitive).
    public var method: String
    /// The request-target as sent, e.g. `/api/v0/fleet/pull-messages?x=1`.
    public var target: String
    public var version: Version
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The client's address, e.g. `127.0.0.1:53412`.
    public var peer: String

    public init(
        method: String, target: String, version: Version = .http11, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], peer: String = ""
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// The target without its query string.
    public var path: Substring {
        if let q = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { return target[..<q] }
        return target[...]
    }
}
