import CCrypto

/// Cryptographically secure random values (OpenSSL `RAND_bytes`).
public enum SecureRandom {
    /// `n` random bytes.
    public static func bytes(_ n: Int) -> [UInt8] {
        precondition(n >= 0 && n <= Int(Int32.max), "SecureRandom.bytes: bad count \(n)")
        var out = [UInt8](repeating: 0, count: n)
        guard n > 0 else { return out }
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(n)) }
        // Failing RNG means no safe IDs or tokens can be made; continuing would be worse.
        guard ok == 1 else { fatalError("OpenSSL RAND_bytes failed") }
        return out
    }

    /// A uniformly random 64-bit value.
    public static func uint64() -> UInt64 {
        bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Lowercase hex of `byteCount` random bytes (2 × byteCount characters).
    public static func hex(byteCount: Int) -> String {
        Hex.lowercase(bytes(byteCount))
    }
}
