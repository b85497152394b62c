import CSSL
import Foundation
import Glibc

/// A blocking loopback client for tests (synchronous test methods run on the main thread, never
/// the cooperative pool): raw bytes in and out over plain TCP or TLS, with receive timeouts so a
/// misbehaving server fails the test instead of hanging it.
final class RawClient {
    let fd: Int32
    private var ssl: OpaquePointer?
    private var sslContext: OpaquePointer?
    private(set) var received: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; every read gives up after `timeout`.
    init(port: Int, timeout: Duration = .seconds(10)) throws {
        signal(SIGPIPE, SIG_IGN)  // a write to a socket the server closed must fail, not kill the tests
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw ClientError("connect to \(port) failed: errno \(errno)")
        }
        setTimeout(timeout)
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        if let sslContext { SSL_CTX_free(sslContext) }
        close(fd)
    }

    func setTimeout(_ timeout: Duration) {
        let (s, atto) = timeout.components
        var tv = timeval(tv_sec: Int(s), tv_usec: Int(atto / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// TLS handshake trusting `caPEM` and checking the certificate is for 127.0.0.1.
    func startTLS(caPEM: [UInt8]) throws {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw ClientError("SSL_CTX_new") }
        sslContext = ctx
        let bio = caPEM.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
        guard let ca = PEM_read_bio_X509(bio, nil, nil, nil) else { throw ClientError("CA PEM") }
        BIO_free(bio)
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca)
        X509_free(ca)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        guard let ssl = SSL_new(ctx) else { throw ClientError("SSL_new") }
        self.ssl = ssl
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1")
        SSL_set_fd(ssl, fd)
        guard SSL_connect(ssl) == 1 else {
            let code = ERR_get_error()
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            throw ClientError("TLS handshake failed: \(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
    }

    /// The negotiated protocol version, e.g. `TLSv1.3`.
    var tlsVersion: String? {
        guard let ssl, let v = SSL_get_version(ssl) else { return nil }
        return String(decoding: Array(UnsafeBufferPointer(start: v, count: strlen(v))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends all of `bytes`; false if the connection is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n: Int = bytes.withUnsafeBytes { raw in
                if let ssl { return Int(SSL_write(ssl, raw.baseAddress! + offset, Int32(bytes.count - offset))) }
                return Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// One read; 0 at EOF, -1 on timeout or error.
    private func readOnce() -> Int {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n: Int = chunk.withUnsafeMutableBytes { raw in
            if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return recv(fd, raw.baseAddress, raw.count, 0)
        }
        if n > 0 { received += chunk[0..<n] }
        return n
    }

    /// Reads until the server closes; true if it did (false on timeout).
    func readUntilClosed() -> Bool {
        while true {
            let n = readOnce()
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET || ssl != nil && errno != EAGAIN }
        }
    }

    /// Reads until `predicate` holds for everything received (false if the connection ended or
    /// a read timed out first).
    func readUntil(_ predicate: ([UInt8]) -> Bool) -> Bool {
        while !predicate(received) {
            if readOnce() <= 0 { return predicate(received) }
        }
        return true
    }

    /// Reads until `count` complete responses are buffered (or the connection ends) and returns them.
    func responses(_ count: Int, headRequest: Bool = false) -> [ParsedResponse] {
        while true {
            let parsed = ParsedResponse.parseAll(received, headRequest: headRequest)
            if parsed.count >= count { return parsed }
            if readOnce() <= 0 { return parsed }
        }
    }

    func response(headRequest: Bool = false) -> ParsedResponse? { responses(1, headRequest: headRequest).first }

    struct ClientError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// A response as read off the wire.
struct ParsedResponse: Equatable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// Every complete response in `bytes`, in order.
    static func parseAll(_ bytes: [UInt8], headRequest: Bool = false) -> [ParsedResponse] {
        var out: [ParsedResponse] = []
        var rest = bytes[...]
        while let end = rest.firstRange(of: Array("\r\n\r\n".utf8)) {
            let head = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return out }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = status == 100 || headRequest ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = end.upperBound
            guard rest.distance(from: bodyStart, to: rest.endIndex) >= length else { return out }
            let bodyEnd = rest.index(bodyStart, offsetBy: length)
            out.append(ParsedResponse(status: status, headers: headers, body: Array(rest[bodyStart..<bodyEnd])))
            rest = rest[bodyEnd...]
        }
        return out
    }
}
