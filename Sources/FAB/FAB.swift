/// A Flower App Bundle: zip bytes, their hash, and the validated app inside
/// (protocol §6.3). Construction performs Flower's StartRun FAB checks in Flower's order.
public struct FAB: Sendable {
    /// Flower's `FAB_MAX_SIZE` (10 MiB); larger FABs get an empty StartRun response.
    public static let maxSize = 10 * 1024 * 1024

    public let content: [UInt8]
    /// Lowercase hex SHA-256 of `content` (`fab_hash`, `Fab.hash_str`).
    public let hashHex: String
    public let app: FlowerAppConfig
    private let archive: ZipArchive

    /// Parses and validates. Order: size, zip structure, `pyproject.toml` presence and
    /// integrity, UTF-8, TOML, then `FlowerAppConfig`'s checks. `.info/CONTENT` is *not*
    /// checked here: Flower's StartRun accepts mismatches (call `verifyContentManifest`).
    public init(content: [UInt8], maxSize: Int = FAB.maxSize) throws(FABError) {
        guard content.count <= maxSize else { throw .tooLarge(size: content.count, limit: maxSize) }
        let archive = try ZipArchive(bytes: content)
        guard archive.entries.contains(where: { $0.path == "pyproject.toml" }) else { throw .missingPyproject }
        let raw = try archive.read("pyproject.toml")
        let text: String
        switch PythonText.decodeUTF8(raw[...]) {
        case .success(let decoded): text = decoded
        case .failure(let failure): throw .invalidUTF8(failure.message)
        }
        self.app = try FlowerAppConfig(pyprojectTOML: text)
        self.content = content
        self.hashHex = SHA256Hex.of(content)
        self.archive = archive
    }

    /// The archive's entries.
    public var entries: [ZipEntry] { archive.entries }

    /// Checks `.info/CONTENT` ("<path>,<sha256 hex>,<size in bits>" per line), as a
    /// SuperNode does before installing: every listed file exists with that hash and size.
    /// A FAB without the manifest passes. Throws `.contentMismatch` naming the first bad path.
    public func verifyContentManifest() throws(FABError) {
        guard archive.entries.contains(where: { $0.path == ".info/CONTENT" }) else { return }
        let manifest = String(decoding: try archive.read(".info/CONTENT"), as: UTF8.self)
        for line in manifest.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3 else { throw .contentMismatch(path: String(line)) }
            let path = fields.dropLast(2).joined(separator: ",")
            let hash = String(fields[fields.count - 2]), bits = String(fields[fields.count - 1])
            guard let data = archive.data(for: path), SHA256Hex.of(data) == hash, bits == String(data.count * 8) else {
                throw .contentMismatch(path: path)
            }
        }
    }
}
