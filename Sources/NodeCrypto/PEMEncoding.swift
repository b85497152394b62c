import CCrypto

/// The PEM text Python `cryptography` (and OpenSSL) emit for a public key. Flower compares
/// keys byte-exactly, so a Swift client must produce precisely this.
enum PEMEncoding {
    /// "-----BEGIN PUBLIC KEY-----\n" + base64(DER) in 64-character lines + "\n-----END PUBLIC KEY-----\n".
    static func publicKeyPEM(spkiDER: [UInt8]) -> [UInt8] {
        let base64 = Base64.encode(spkiDER)
        var out = Array("-----BEGIN PUBLIC KEY-----\n".utf8)
        var index = 0
        while index < base64.count {
            let end = min(index + 64, base64.count)
            out += base64[index..<end]
            out.append(UInt8(ascii: "\n"))
            index = end
        }
        out += Array("-----END PUBLIC KEY-----\n".utf8)
        return out
    }
}

/// Standard base64 with padding (RFC 4648 §4).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return out
    }
}
