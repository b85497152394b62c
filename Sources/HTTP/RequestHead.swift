/// A parsed request line and header block, with what they say about framing and the connection.
struct RequestHead: Sendable, Equatable {
    var method: String
    var target: String
    var version: HTTPRequest.Version
    var headers: HTTPHeaders
    /// From Content-Length; 0 when absent (a request without it has no body).
    var contentLength: Int
    /// False for HTTP/1.0 and for `Connection: close`.
    var keepAlive: Bool
    /// `Expect: 100-continue`: the client waits for an interim 100 before sending the body.
    var expectsContinue: Bool
}

/// Why a request is refused before it reaches the handler: the status to answer with. The
/// connection is closed afterwards, since the rest of its bytes cannot be trusted to frame.
struct RejectedRequest: Error, Sendable, Equatable {
    let status: Int
}

/// The HTTP/1.1 message syntax (RFC 9112) for request heads. Strict where leniency would let a
/// client smuggle a second request (no obs-fold, no whitespace before the colon, no
/// Transfer-Encoding, conflicting Content-Lengths refused); lenient where RFC 9112 allows it
/// (bare LF line endings, leading empty lines, optional whitespace around values).
enum RequestHeadParser {
    /// The offset just past the empty line that ends a head starting at `buffer[0]`, if the head
    /// is complete; `searchFrom` lets a caller resume where the previous, shorter search ended.
    static func headEnd(in buffer: [UInt8], searchFrom: Int = 0) -> Int? {
        var i = max(0, searchFrom)
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        while i < buffer.count {
            if buffer[i] == lf {
                if i + 1 < buffer.count, buffer[i + 1] == lf { return i + 2 }
                if i + 2 < buffer.count, buffer[i + 1] == cr, buffer[i + 2] == lf { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Where a new search may start after `count` bytes were searched without finding the end
    /// (the terminator may straddle the boundary).
    static func resumeOffset(afterSearching count: Int) -> Int { max(0, count - 3) }

    /// Parses a complete head (as delimited by `headEnd`).
    static func parse(_ bytes: ArraySlice<UInt8>, config: HTTPServerConfig) -> Result<RequestHead, RejectedRequest> {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            var line = bytes[start..<i]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lines.append(line)
            start = i + 1
        }
        guard let requestLine = lines.first, !requestLine.isEmpty else { return .failure(.init(status: 400)) }
        guard lines.count - 2 <= config.maxHeaderCount else { return .failure(.init(status: 431)) }

        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return .failure(.init(status: 400)) }
        let version: HTTPRequest.Version
        switch String(decoding: parts[2], as: UTF8.self) {
        case "HTTP/1.1": version = .http11
        case "HTTP/1.0": version = .http10
        case let other where isVersionSyntax(other): return .failure(.init(status: 505))
        default: return .failure(.init(status: 400))
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.init(status: 400)) }
            let name = line[line.startIndex..<colon]
            // Empty names, whitespace before the colon and obs-fold continuation lines are refused.
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(.init(status: 400)) }
            let value = trimmed(line[(colon + 1)...])
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .failure(.init(status: 400))
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }

        if version == .http11 && headers.values("host").count != 1 { return .failure(.init(status: 400)) }
        // Chunked (or any transfer coding) is not implemented: every Flower client sends a
        // Content-Length, and refusing it removes the CL/TE request-smuggling ambiguity.
        if headers.contains("transfer-encoding") { return .failure(.init(status: 501)) }

        var length = 0
        let lengths = headers.values("content-length")
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingWhitespace() }
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18,
                  first.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(first)
            else { return .failure(.init(status: 400)) }
            length = n
        }
        if length > config.maxBodyBytes { return .failure(.init(status: 413)) }

        let connection = headers.values("connection")
            .flatMap { $0.lowercased().split(separator: ",") }
            .map { $0.trimmingWhitespace() }
        let keepAlive = version == .http11 && !connection.contains("close")

        var expectsContinue = false
        if let expect = headers.first("expect") {
            guard expect.lowercased() == "100-continue" else { return .failure(.init(status: 417)) }
            expectsContinue = version == .http11
        }

        return .success(RequestHead(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            version: version, headers: headers, contentLength: length, keepAlive: keepAlive,
            expectsContinue: expectsContinue))
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// `HTTP/<digit>.<digit>`: a well-formed version we do not speak (answered 505, not 400).
    private static func isVersionSyntax(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 8 && s.hasPrefix("HTTP/") && b[6] == UInt8(ascii: ".")
            && (0x30...0x39).contains(b[5]) && (0x30...0x39).contains(b[7])
    }

    private static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
