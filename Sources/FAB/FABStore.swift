#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flower's disk FFS ("Flower File Storage") under `--storage-dir`, byte-compatible
/// with Flower 1.28 (observed): each FAB is a file named by its lowercase SHA-256 hex
/// holding the zip bytes, next to `<hash>.META` holding `json.dumps(verifications)`
/// (`{}` for locally built FABs). Nothing else is written.
public final class FABStore: Sendable {
    public let directory: String

    /// Opens the store, creating the directory and its parents (mkdir -p) if needed.
    public init(directory: String) throws(FABError) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        try Self.makeDirectories(self.directory)
    }

    /// Stores `content` and its metadata; returns its SHA-256 hex. Each file is written to
    /// a temporary name and renamed into place, META first, so a reader that sees the
    /// content file also sees its metadata. Storing the same FAB again is harmless.
    @discardableResult
    public func put(_ content: [UInt8], verifications: [(key: String, value: String)] = []) throws(FABError) -> String {
        let hash = SHA256Hex.of(content)
        try writeAtomically(path: metaPath(hash), bytes: Array(Self.pythonJSON(verifications).utf8))
        try writeAtomically(path: contentPath(hash), bytes: content)
        return hash
    }

    /// The FAB with this hash, or nil if absent or if `hashHex` is not 64 lowercase hex
    /// digits (which also rules out any path tricks).
    public func get(_ hashHex: String) -> [UInt8]? {
        guard SHA256Hex.isValid(hashHex) else { return nil }
        return Self.readFile(contentPath(hashHex))
    }

    /// Whether the FAB with this hash is stored (a valid hash and its content file exists); cheap,
    /// nothing is read.
    public func contains(_ hashHex: String) -> Bool {
        SHA256Hex.isValid(hashHex) && access(contentPath(hashHex), F_OK) == 0
    }

    /// The stored verifications for a FAB (the `.META` JSON object of strings); `[:]` if the
    /// FAB exists without metadata, nil if the FAB is absent or the hash is invalid.
    public func verifications(_ hashHex: String) -> [String: String]? {
        guard SHA256Hex.isValid(hashHex), access(contentPath(hashHex), F_OK) == 0 else { return nil }
        guard let meta = Self.readFile(metaPath(hashHex)) else { return [:] }
        return Self.stringMap(meta) ?? [:]
    }

    private func contentPath(_ hash: String) -> String { directory + "/" + hash }
    private func metaPath(_ hash: String) -> String { directory + "/" + hash + ".META" }

    // MARK: Files

    private func writeAtomically(path: String, bytes: [UInt8]) throws(FABError) {
        let temporary = directory + "/.tmp-" + String(UInt64.random(in: .min ... .max), radix: 16)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storage("cannot create \(temporary): \(Self.errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let message = Self.errnoText()
                close(fd)
                unlink(temporary)
                throw .storage("cannot write \(temporary): \(message)")
            }
            written += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            unlink(temporary)
            throw .storage("cannot flush \(temporary): \(Self.errnoText())")
        }
        guard rename(temporary, path) == 0 else {
            let message = Self.errnoText()
            unlink(temporary)
            throw .storage("cannot rename to \(path): \(message)")
        }
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return out }
            out += chunk[..<n]
        }
    }

    private static func makeDirectories(_ path: String) throws(FABError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .storage("cannot create directory \(prefix): \(errnoText())")
            }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw .storage("\(path) is not a directory")
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// `json.dumps(dict_of_str)` with Python's default separators and `ensure_ascii`.
    static func pythonJSON(_ pairs: [(key: String, value: String)]) -> String {
        JSONValue.object(pairs.map { ($0.key, .string($0.value)) }).pythonJSON
    }

    /// A `.META` text as the string map it holds; nil unless it is a JSON object of strings.
    static func stringMap(_ bytes: [UInt8]) -> [String: String]? {
        guard case .object(let pairs)? = JSONValue.parse(bytes) else { return nil }
        var map: [String: String] = [:]
        for (key, value) in pairs {
            guard case .string(let text) = value else { return nil }
            map[key] = text
        }
        return map
    }
}
