/// One central-directory record of a zip archive.
public struct ZipEntry: Sendable, Equatable {
    /// The name as stored (UTF-8 if flagged, else CP437), cut at the first NUL as Python does.
    public let path: String
    /// 0 = stored, 8 = deflate; anything else is reported as unsupported when read.
    public let compressionMethod: UInt16
    public let flags: UInt16
    public let crc32: UInt32
    public let compressedSize: Int
    public let uncompressedSize: Int
    /// Offset of the local header, already shifted by any bytes prepended to the archive.
    public let localHeaderOffset: Int
    /// The name exactly as the central directory has it (before the NUL cut).
    let rawName: String

    public var isDirectory: Bool { path.hasSuffix("/") }
    public var isEncrypted: Bool { flags & 0x1 != 0 }
}
