import CZlib

/// Builds zip archives for tests, including deliberately broken ones.
struct ZipBuilder {
    struct Entry {
        var name: String
        var data: [UInt8]
        var deflate = false
        /// Overrides for hostile archives.
        var crc: UInt32?
        var declaredSize: UInt32?
        var declaredCompressedSize: UInt32?
        var flags: UInt16 = 0
        var method: UInt16?
    }

    var entries: [Entry] = []
    var prefix: [UInt8] = []

    mutating func add(_ name: String, _ text: String, deflate: Bool = false) {
        entries.append(Entry(name: name, data: Array(text.utf8), deflate: deflate))
    }

    mutating func add(_ name: String, bytes: [UInt8], deflate: Bool = false) {
        entries.append(Entry(name: name, data: bytes, deflate: deflate))
    }

    func build() -> [UInt8] {
        var out = prefix
        var central: [UInt8] = []
        for entry in entries {
            let stored = entry.deflate ? Self.rawDeflate(entry.data) : entry.data
            let crc = entry.crc ?? Self.crc32(entry.data)
            let method: UInt16 = entry.method ?? (entry.deflate ? 8 : 0)
            let size = entry.declaredSize ?? UInt32(entry.data.count)
            let csize = entry.declaredCompressedSize ?? UInt32(stored.count)
            let name = Array(entry.name.utf8)
            let offset = UInt32(out.count - prefix.count)
            out += le32(0x0403_4B50) + le16(20) + le16(entry.flags) + le16(method) + le16(0) + le16(0x5941)
            out += le32(crc) + le32(csize) + le32(size) + le16(UInt16(name.count)) + le16(0) + name + stored
            central += le32(0x0201_4B50) + le16(0x031E) + le16(20) + le16(entry.flags) + le16(method) + le16(0) + le16(0x5941)
            central += le32(crc) + le32(csize) + le32(size) + le16(UInt16(name.count)) + le16(0) + le16(0) + le16(0) + le16(0)
            central += le32(0o100644 << 16) + le32(offset) + name
        }
        let cdOffset = UInt32(out.count - prefix.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
        out += le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    static func rawDeflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

/// Writes a little-endian UInt32 into `bytes` at `offset`.
func patch32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
    bytes.replaceSubrange(offset..<offset + 4, with: le32(value))
}

/// Offset of the end-of-central-directory record.
func endRecordOffset(_ bytes: [UInt8]) -> Int {
    var i = bytes.count - 22
    while i >= 0 {
        if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 5, bytes[i + 3] == 6 { return i }
        i -= 1
    }
    fatalError("no end record")
}

enum Fixtures {
    /// `flwr build` (flwr 1.28.0) of a tiny app: stored entries, `.info/CONTENT`.
    static let flwrBuiltFABName = "sepal.tinyapp.1-0-0.3c685236.fab"
    static let flwrBuiltFABHash = "3c6852360433f6c84e0d7ddcc50725f3be4f8bb7c91f5a7ad502ea11ee1a0d60"

    static var directory: String {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
    }

    static func load(_ name: String) -> [UInt8] {
        let path = directory + "/" + name
        guard let file = fopen(path, "rb") else { fatalError("missing fixture \(path)") }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            out += buffer[..<n]
        }
        return out
    }

    static let minimalPyproject = """
        [project]
        name='tinyapp'
        version='1.0.0'
        [tool.flwr.app]
        publisher='p'
        [tool.flwr.app.components]
        serverapp='a:b'
        clientapp='a:b'

        """

    /// A FAB (stored zip) with this pyproject and two module files.
    static func fab(_ pyproject: String, deflate: Bool = false) -> [UInt8] {
        var zip = ZipBuilder()
        zip.add("pyproject.toml", pyproject, deflate: deflate)
        zip.add("tinyapp/__init__.py", "", deflate: deflate)
        zip.add("tinyapp/server_app.py", "app=None\n", deflate: deflate)
        return zip.build()
    }
}

#if canImport(Glibc)
import Glibc
#endif
