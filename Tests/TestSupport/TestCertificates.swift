import Foundation

/// A throw-away CA and a server certificate for 127.0.0.1 / localhost, made with the openssl CLI,
/// for the TLS tests of the transports (RPC, HTTP).
public struct TestCertificates: Sendable {
    public let caPEM: [UInt8]
    public let serverChainPEM: [UInt8]
    public let serverKeyPEM: [UInt8]
    /// A second, unrelated CA (the server's certificate does not chain to it).
    public let otherCAPEM: [UInt8]
    /// A key that does not belong to the server certificate.
    public let otherKeyPEM: [UInt8]

    public struct CertificateError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Generates everything in a temporary directory (blocking; call from synchronous set-up).
    public static func generate() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sepal-tls-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
            .write(toFile: path("ext.cnf"), atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=Sepal Test CA"])
        try openssl(["req", "-x509"] + ec + ["-keyout", path("other.key"), "-out", path("other.pem"), "-days", "2", "-subj", "/CN=Other CA"])
        try openssl(["req"] + ec + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try openssl([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-CAcreateserial", "-out", path("server.pem"), "-days", "2", "-extfile", path("ext.cnf"),
        ])
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
        return TestCertificates(
            caPEM: try read("ca.pem"), serverChainPEM: try read("server.pem"), serverKeyPEM: try read("server.key"),
            otherCAPEM: try read("other.pem"), otherKeyPEM: try read("other.key"))
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateError(description: "openssl \(arguments.joined(separator: " ")) failed")
        }
    }
}
