import Foundation
import Glibc
import TestSupport

/// One HTTP/1.1 exchange per connection (as Flower's REST client makes them), blocking, on a
/// thread of its own via `offPool`.
struct HTTPTestResponse: Sendable {
    var status: Int
    /// Lower-case names.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

enum HTTPTestClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends `method path` with `headers` and `body` to 127.0.0.1:`port`, reads to EOF.
    static func send(
        port: Int, method: String = "POST", path: String, headers: [(String, String)], body: [UInt8] = []
    ) async throws -> HTTPTestResponse {
        try await offPool {
            var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.count)\r\n\r\n"
            return try exchange(port: port, Array(head.utf8) + body)
        }
    }

    /// `POST /api/v0/fleet/<name>` with Flower's REST client's headers.
    static func fleet(port: Int, _ name: String, _ body: [UInt8]) async throws -> HTTPTestResponse {
        try await send(
            port: port, path: "/api/v0/fleet/\(name)",
            headers: [("Content-Type", "application/protobuf"), ("Accept", "application/protobuf")], body: body)
    }

    private static func exchange(port: Int, _ request: [UInt8]) throws -> HTTPTestResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw Failure(description: "connect to \(port): errno \(errno)") }
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: "recv: errno \(errno)") }
            received += chunk[0..<n]
        }
        return try parse(received)
    }

    private static func parse(_ bytes: [UInt8]) throws -> HTTPTestResponse {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw Failure(description: "no response head in \(String(decoding: bytes, as: UTF8.self))")
        }
        var lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Array(bytes[end.upperBound...])
        guard Int(headers["content-length"] ?? "") == body.count else {
            throw Failure(description: "content-length \(headers["content-length"] ?? "none") for \(body.count) bytes")
        }
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }
}
