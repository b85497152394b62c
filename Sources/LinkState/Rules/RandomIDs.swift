/// Random node/run IDs and app tokens.
///
/// Uses `SystemRandomNumberGenerator`, which on Linux reads the kernel CSPRNG (`getrandom(2)`, the
/// source behind `/dev/urandom`) — the same entropy as Flower's `os.urandom` / `secrets`.
public enum RandomIDs {
    /// 8 random bytes as a uint64, never 0 (unset) or 1 (the SuperLink's own node ID).
    public static func nodeOrRunID() -> UInt64 {
        var rng = SystemRandomNumberGenerator()
        while true {
            let id = rng.next() as UInt64
            if id > 1 { return id }
        }
    }

    /// `secrets.token_hex(128)`: 128 random bytes as 256 lowercase hex characters.
    public static func appToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(256)
        for _ in 0..<16 {
            var word = rng.next() as UInt64
            for _ in 0..<8 {
                let byte = UInt8(truncatingIfNeeded: word)
                chars.append(digits[Int(byte >> 4)])
                chars.append(digits[Int(byte & 0x0f)])
                word >>= 8
            }
        }
        return String(decoding: chars, as: UTF8.self)
    }
}
