import CZlib

/// A read-only zip archive in memory, parsed from its central directory.
///
/// It reads what Python's `zipfile` reads and fails where it fails, with the same
/// messages (Flower reports them verbatim): the end record is searched in the last
/// 64 KiB, prepended data is tolerated, later duplicate names shadow earlier ones, and
/// an entry's CRC-32 is checked only when that entry is read. Every offset and size is
/// bounds-checked; entry count and inflated size are capped; zip64 is rejected. A stored
/// entry yields min(compressed, declared) bytes, so only deflate output needs a cap.
public struct ZipArchive: Sendable {
    public let entries: [ZipEntry]
    private let bytes: [UInt8]
    private let limits: ZipLimits
    /// Index into `entries` by name; the last record with a name wins (as in Python).
    private let byName: [String: Int]

    private static let endSignature: UInt32 = 0x0605_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let endRecordSize = 22
    private static let centralRecordSize = 46
    private static let localHeaderSize = 30

    public init(bytes: [UInt8], limits: ZipLimits = .init()) throws(FABError) {
        self.bytes = bytes
        self.limits = limits
        let reader = ByteReader(bytes: bytes)
        guard let end = Self.findEndRecord(reader) else { throw .notAZip }
        if end.location >= 20, reader.u32(end.location - 20) == Self.zip64LocatorSignature {
            throw .zipLimitExceeded("Zip64 archives are not supported")
        }
        guard let sizeCD = reader.u32(end.location + 12).map(Int.init),
              let offsetCD = reader.u32(end.location + 16).map(Int.init),
              let totalEntries = reader.u16(end.location + 10)
        else { throw .notAZip }
        if totalEntries == 0xFFFF || sizeCD == 0xFFFF_FFFF || offsetCD == 0xFFFF_FFFF {
            throw .zipLimitExceeded("Zip64 archives are not supported")
        }
        // Bytes before the archive proper (self-extractors, `cat junk a.zip`).
        let concat = end.location - sizeCD - offsetCD
        let startCD = offsetCD + concat
        guard startCD >= 0 else { throw .corruptZip("Bad offset for central directory") }
        let directory = ByteReader(bytes: Array(reader.slice(startCD, sizeCD)))

        var entries: [ZipEntry] = []
        var byName: [String: Int] = [:]
        var total = 0
        while total < sizeCD {
            guard entries.count < limits.maxEntries else {
                throw .zipLimitExceeded("Zip archive has more than \(limits.maxEntries) entries")
            }
            guard total + Self.centralRecordSize <= directory.bytes.count else {
                throw .corruptZip("Truncated central directory")
            }
            let r = directory
            guard r.u32(total) == Self.centralSignature else { throw .corruptZip("Bad magic number for central directory") }
            let versionNeeded = r.bytes[total + 6], flags = r.u16(total + 8)!, method = r.u16(total + 10)!
            let crc = r.u32(total + 16)!, compressed = r.u32(total + 20)!, uncompressed = r.u32(total + 24)!
            let nameLength = Int(r.u16(total + 28)!), extraLength = Int(r.u16(total + 30)!), commentLength = Int(r.u16(total + 32)!)
            let localOffset = r.u32(total + 42)!
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw .zipLimitExceeded("Zip64 archives are not supported")
            }
            if versionNeeded > 63 { throw .corruptZip("zip file version \(versionNeeded / 10).\(versionNeeded % 10)") }
            let rawNameBytes = r.slice(total + Self.centralRecordSize, nameLength)
            let rawName = try Self.decodeName(rawNameBytes, flags: flags)
            try Self.checkExtraField(r.slice(total + Self.centralRecordSize + nameLength, extraLength))
            let path = rawName.firstIndex(of: "\0").map { String(rawName[..<$0]) } ?? rawName
            entries.append(ZipEntry(
                path: path, compressionMethod: method, flags: flags, crc32: crc, compressedSize: Int(compressed),
                uncompressedSize: Int(uncompressed), localHeaderOffset: Int(localOffset) + concat, rawName: rawName))
            byName[path] = entries.count - 1
            total += Self.centralRecordSize + nameLength + extraLength + commentLength
        }
        self.entries = entries
        self.byName = byName
    }

    /// The contents of the entry named `path`, or nil if it is absent or unreadable.
    public func data(for path: String) -> [UInt8]? {
        try? read(path)
    }

    /// The contents of the entry named `path`, with Python's error for each defect.
    public func read(_ path: String) throws(FABError) -> [UInt8] {
        guard let index = byName[path] else {
            throw .corruptZip("\"There is no item named \(PythonRepr.string(path)) in the archive\"")
        }
        return try read(entries[index])
    }

    /// Every file entry with a safe relative path, for extraction. Throws on the first
    /// unsafe name (absolute, `..`, backslash, drive letter, empty component) so nothing
    /// can be written outside the target directory, and caps the total inflated size.
    public func extractAll() throws(FABError) -> [(path: String, data: [UInt8])] {
        var files: [(path: String, data: [UInt8])] = []
        var total = 0
        for (index, entry) in entries.enumerated() where byName[entry.path] == index && !entry.isDirectory {
            guard Self.isSafeRelativePath(entry.path) else {
                throw .corruptZip("Unsafe path in archive: \(PythonRepr.string(entry.path))")
            }
            let data = try read(entry)
            total += data.count
            guard total <= limits.maxTotalSize else {
                throw .zipLimitExceeded("Zip archive inflates to more than \(limits.maxTotalSize) bytes")
            }
            files.append((entry.path, data))
        }
        return files
    }

    /// True for "a/b.py"-style names: no leading "/", no "..", "." or empty components,
    /// no backslashes, NULs or drive letters.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let trimmed = path.hasSuffix("/") ? components.dropLast() : components[...]
        if let first = trimmed.first, first.count == 2, first.last == ":" { return false }
        return trimmed.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    // MARK: Reading one entry

    private func read(_ entry: ZipEntry) throws(FABError) -> [UInt8] {
        let reader = ByteReader(bytes: bytes)
        let offset = entry.localHeaderOffset
        guard offset >= 0 else { throw .negativeSeek(offset) }
        guard offset + Self.localHeaderSize <= bytes.count else { throw .corruptZip("Truncated file header") }
        guard reader.u32(offset) == Self.localSignature else { throw .corruptZip("Bad magic number for file header") }
        let localFlags = reader.u16(offset + 6)!
        let nameLength = Int(reader.u16(offset + 26)!), extraLength = Int(reader.u16(offset + 28)!)
        let localName = reader.slice(offset + Self.localHeaderSize, nameLength)
        if entry.flags & 0x20 != 0 { throw .corruptZip("compressed patched data (flag bit 5)") }
        if entry.flags & 0x40 != 0 { throw .corruptZip("strong encryption (flag bit 6)") }
        guard try Self.decodeName(localName, flags: localFlags) == entry.rawName else {
            throw .corruptZip("File name in directory \(PythonRepr.string(entry.rawName)) and header \(PythonText.bytesRepr(localName)) differ.")
        }
        if entry.isEncrypted {
            throw .corruptZip("File \(PythonRepr.string(entry.path)) is encrypted, password required for extraction")
        }
        guard entry.compressionMethod == 0 || entry.compressionMethod == 8 else {
            throw .corruptZip("That compression method is not supported")
        }
        let dataStart = offset + Self.localHeaderSize + nameLength + extraLength
        let available = reader.slice(dataStart, entry.compressedSize)
        let output: [UInt8]
        if entry.compressionMethod == 0 {
            let wanted = min(entry.compressedSize, entry.uncompressedSize)
            // Python raises a bare EOFError (empty message) when the data runs out early.
            guard available.count >= wanted else { throw .corruptZip("") }
            output = Array(available.prefix(wanted))
        } else {
            // Inflate one byte past the cap to tell "exactly at the cap" from "over it".
            let limit = min(entry.uncompressedSize, limits.maxEntrySize + 1)
            output = try Inflater.inflate(available, declaredCompressedSize: entry.compressedSize, outputLimit: limit)
            guard output.count <= limits.maxEntrySize else {
                throw .zipLimitExceeded("Zip entry \(PythonRepr.string(entry.path)) inflates to more than \(limits.maxEntrySize) bytes")
            }
        }
        let crc = output.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
        guard crc == entry.crc32 else { throw .corruptZip("Bad CRC-32 for file \(PythonRepr.string(entry.path))") }
        return output
    }

    // MARK: Structure

    /// The end-of-central-directory record, found as Python does: first at the very end
    /// (no comment), else the last signature within the final 64 KiB + 22 bytes.
    private static func findEndRecord(_ reader: ByteReader) -> (location: Int, commentLength: Int)? {
        let size = reader.bytes.count
        guard size >= endRecordSize else { return nil }
        let tail = size - endRecordSize
        if reader.u32(tail) == endSignature, reader.u16(tail + 20) == 0 {
            return (tail, 0)
        }
        let searchStart = max(size - (1 << 16) - endRecordSize, 0)
        var position = size - 4
        while position >= searchStart {
            if reader.bytes[position] == 0x50, reader.u32(position) == endSignature {
                guard position + endRecordSize <= size else { return nil }
                return (position, Int(reader.u16(position + 20)!))
            }
            position -= 1
        }
        return nil
    }

    /// Walks the extra-field records as Python does, rejecting one that overruns the field.
    private static func checkExtraField(_ extra: ArraySlice<UInt8>) throws(FABError) {
        var rest = extra
        while rest.count >= 4 {
            let base = rest.startIndex
            let type = UInt16(rest[base]) | UInt16(rest[base + 1]) << 8
            let length = Int(rest[base + 2]) | Int(rest[base + 3]) << 8
            guard length + 4 <= rest.count else {
                let hex = String(type, radix: 16)
                throw .corruptZip("Corrupt extra field \(String(repeating: "0", count: 4 - hex.count) + hex) (size=\(length))")
            }
            rest = rest.dropFirst(4 + length)
        }
    }

    private static func decodeName(_ bytes: ArraySlice<UInt8>, flags: UInt16) throws(FABError) -> String {
        guard flags & 0x800 != 0 else { return PythonText.decodeCP437(bytes) }
        switch PythonText.decodeUTF8(bytes) {
        case .success(let name): return name
        case .failure(let failure): throw .invalidUTF8(failure.message)
        }
    }
}
