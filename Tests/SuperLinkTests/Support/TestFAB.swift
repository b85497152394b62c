import Foundation

/// Flower App Bundles for tests: a stored (uncompressed) zip holding a valid `pyproject.toml`.
enum TestFAB {
    static let pyproject = """
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "sltestapp"
        version = "1.2.3"
        description = "A FAB built by SuperLinkTests"
        license = "Apache-2.0"
        dependencies = ["flwr>=1.28.0"]

        [tool.hatch.build.targets.wheel]
        packages = ["."]

        [tool.flwr.app]
        publisher = "sepal"

        [tool.flwr.app.components]
        serverapp = "sltestapp.server_app:app"
        clientapp = "sltestapp.client_app:app"

        [tool.flwr.app.config]
        num-server-rounds = 3
        lr = 0.1

        [tool.flwr.app.config.nested]
        depth = 2

        """

    /// The FAB most tests run (`sepal/sltestapp` 1.2.3; config keys `num-server-rounds`, `lr`,
    /// `nested.depth`).
    static let standard: [UInt8] = StoredZip.build([
        ("pyproject.toml", Array(pyproject.utf8)),
        ("sltestapp/__init__.py", []),
        ("sltestapp/server_app.py", Array("from flwr.serverapp import ServerApp\napp = ServerApp()\n".utf8)),
    ])

    /// The FAB the FAB layer's own tests use (a real `flwr build` output).
    static func fixture() throws -> [UInt8] {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let url = tests.appendingPathComponent("FABTests/Fixtures/sepal.tinyapp.1-0-0.3c685236.fab")
        return Array(try Data(contentsOf: url))
    }
}

/// A minimal zip writer (method 0, no compression), enough for valid FABs.
enum StoredZip {
    static func build(_ files: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (path, data) in files {
            let name = Array(path.utf8)
            let crc = crc32(data)
            let offset = UInt32(out.count)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x5941)
            out += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(name.count)) + le16(0)
            out += name + data
            central += le32(0x0201_4B50) + le16(0x031E) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x5941)
            central += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(name.count))
            central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(offset) + name
        }
        let cdOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(files.count)) + le16(UInt16(files.count))
        out += le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
}
