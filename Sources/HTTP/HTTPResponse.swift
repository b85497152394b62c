/// A complete response. `Content-Length`, `Date` and (when closing) `Connection: close` are
/// added by the server; do not set them.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ status: Int, _ text: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.add("content-type", "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: h, body: Array(text.utf8))
    }

    /// The response with its reason phrase as the plain-text body (what the server itself
    /// answers to malformed requests).
    static func plain(_ status: Int) -> HTTPResponse {
        .text(status, HTTPStatus.reason(status))
    }

    /// The bytes on the wire. `includeBody` is false for HEAD requests (the length is still
    /// announced).
    func serialized(close: Bool, date: String, includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n"
        head += "date: \(date)\r\nserver: sepal\r\n"
        for (name, value) in headers where name != "content-length" && name != "connection" && name != "date" {
            head += "\(name): \(value)\r\n"
        }
        head += "content-length: \(body.count)\r\n"
        if close { head += "connection: close\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if includeBody { bytes += body }
        return bytes
    }
}

/// Reason phrases (RFC 9110 §15).
enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 204: "No Content"
        case 307: "Temporary Redirect"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
