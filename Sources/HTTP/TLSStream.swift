import CSSL

/// TLS over a `SocketStream` through memory BIOs: OpenSSL never touches the socket, so every
/// byte moves through the socket's deadline-bounded, SIGPIPE-free reads and writes.
final class TLSStream: ByteStream {
    private let socket: SocketStream
    private let ssl: OpaquePointer
    /// Ciphertext from the peer, fed to OpenSSL.
    private let incoming: OpaquePointer
    /// Ciphertext OpenSSL produced, to send to the peer.
    private let outgoing: OpaquePointer
    private var scratch: [UInt8] = []
    /// Decrypted bytes of one `SSL_read` (a TLS record holds at most 16 KiB).
    private var plaintext = [UInt8](repeating: 0, count: 16 * 1024)

    init?(context: TLSContext, socket: SocketStream) {
        guard let ssl = SSL_new(context.ctx) else { return nil }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_bio(ssl, incoming, outgoing)  // the SSL owns both BIOs from here
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        self.socket = socket
    }

    deinit {
        SSL_free(ssl)
    }

    /// Runs the server handshake; false if it fails or the deadline passes.
    func handshake(deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let r = SSL_do_handshake(ssl)
            guard flush(deadline: deadline) else { return false }
            if r == 1 { return true }
            guard SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ, fill(deadline: deadline) == .data else {
                ERR_clear_error()
                return false
            }
        }
    }

    func read(into buffer: inout [UInt8], max: Int, deadline: ContinuousClock.Instant) -> ReadOutcome {
        let want = Int32(min(max, plaintext.count))
        while true {
            let n = plaintext.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, want) }
            if n > 0 {
                buffer.append(contentsOf: plaintext[0..<Int(n)])
                return .data
            }
            let error = SSL_get_error(ssl, n)
            // Post-handshake messages (e.g. TLS 1.3 tickets, key updates) may need sending.
            guard flush(deadline: deadline) else { return .closed }
            guard error == SSL_ERROR_WANT_READ else {
                ERR_clear_error()
                return .closed
            }
            let filled = fill(deadline: deadline)
            if filled != .data { return filled }
        }
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 256 * 1024)
            let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32(chunk)) }
            guard n > 0 else {
                ERR_clear_error()
                return false
            }
            offset += Int(n)
            guard flush(deadline: deadline) else { return false }
        }
        return true
    }

    /// Best-effort close_notify.
    func close(deadline: ContinuousClock.Instant) {
        _ = SSL_shutdown(ssl)
        _ = flush(deadline: deadline)
        ERR_clear_error()
    }

    /// Moves one socket read into OpenSSL.
    private func fill(deadline: ContinuousClock.Instant) -> ReadOutcome {
        scratch.removeAll(keepingCapacity: true)
        let outcome = socket.read(into: &scratch, max: 16 * 1024, deadline: deadline)
        guard outcome == .data else { return outcome }
        let written = scratch.withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32($0.count)) }
        return written == Int32(scratch.count) ? .data : .closed
    }

    /// Sends everything OpenSSL has produced.
    private func flush(deadline: ContinuousClock.Instant) -> Bool {
        while BIO_ctrl_pending(outgoing) > 0 {
            var chunk = [UInt8](repeating: 0, count: min(Int(BIO_ctrl_pending(outgoing)), 64 * 1024))
            let n = chunk.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { return false }
            if Int(n) < chunk.count { chunk.removeLast(chunk.count - Int(n)) }
            guard socket.write(chunk, deadline: deadline) else { return false }
        }
        return true
    }
}
