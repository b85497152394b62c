import Glibc

/// What one bounded read produced.
enum ReadOutcome: Equatable {
    /// At least one byte was appended.
    case data
    /// The peer closed (or reset) the connection, or the stream failed.
    case closed
    /// The deadline passed with nothing read.
    case timedOut
}

/// A byte stream over one accepted connection (plain socket, or TLS over it) whose every wait
/// ends at a deadline. Used by one connection thread only.
protocol ByteStream: AnyObject {
    /// Appends at most `max` bytes to `buffer`.
    func read(into buffer: inout [UInt8], max: Int, deadline: ContinuousClock.Instant) -> ReadOutcome
    /// Writes all of `bytes`; false if the peer went away or the deadline passed first.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) -> Bool
}

/// A non-blocking socket driven by `poll`, so no read or write outlives its deadline. Writes use
/// `MSG_NOSIGNAL`: a vanished peer is an error return, never a SIGPIPE.
final class SocketStream: ByteStream {
    let fd: Int32
    /// Reused for every read, so a read costs what it returns, not what it may return.
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32) {
        self.fd = fd
    }

    func read(into buffer: inout [UInt8], max: Int, deadline: ContinuousClock.Instant) -> ReadOutcome {
        let want = min(max, scratch.count)
        while true {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, want, 0) }
            if n > 0 {
                buffer.append(contentsOf: scratch[0..<n])
                return .data
            }
            if n == 0 { return .closed }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return .closed }
            switch wait(for: Int16(POLLIN), until: deadline) {
            case .ready: continue
            case .timedOut: return .timedOut
            case .failed: return .closed
            }
        }
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return false }
            guard wait(for: Int16(POLLOUT), until: deadline) == .ready else { return false }
        }
        return true
    }

    enum Wait { case ready, timedOut, failed }

    /// Waits until the socket is ready for `events` (or hung up: the next call reports it).
    func wait(for events: Int16, until deadline: ContinuousClock.Instant) -> Wait {
        while true {
            let timeout = Self.milliseconds(until: deadline)
            if timeout == 0 { return .timedOut }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let r = poll(&pfd, 1, timeout)
            if r > 0 { return .ready }
            if r == 0 {
                if Self.milliseconds(until: deadline) == 0 { return .timedOut }
                continue
            }
            if errno != EINTR { return .failed }
        }
    }

    /// Milliseconds from now to `deadline`, rounded up, clamped to [0, Int32.max].
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
