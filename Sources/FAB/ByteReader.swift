/// Little-endian field access into a byte buffer; every read is bounds-checked.
struct ByteReader {
    let bytes: [UInt8]

    func u16(_ at: Int) -> UInt16? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    func u32(_ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    /// The bytes `[at, at+count)` clipped to the buffer (like a short `read`).
    func slice(_ at: Int, _ count: Int) -> ArraySlice<UInt8> {
        guard at >= 0, count > 0, at < bytes.count else { return [] }
        return bytes[at..<min(bytes.count, at + min(count, bytes.count))]
    }
}
