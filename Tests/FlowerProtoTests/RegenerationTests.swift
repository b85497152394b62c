import Foundation
import ProtoCodegen
import XCTest

/// The checked-in generated code must be exactly what protoc + protogen produce from proto/.
/// (`scripts/generate-protos.sh --check` is the same check for CI and humans.)
final class RegenerationTests: XCTestCase {
    private let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testCheckedInGeneratedCodeIsUpToDate() throws {
        let descriptorSet = try compileProtos()
        let generated = try ProtoCodegen.generate(descriptorSet: descriptorSet)
        XCTAssertEqual(generated.count, 19, "one file per .proto (18 Flower files + health)")

        let directory = repositoryRoot.appendingPathComponent("Sources/FlowerProto/Generated")
        let checkedIn = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".pb.swift") }.sorted()
        XCTAssertEqual(checkedIn, generated.map(\.name).sorted(), "stale or missing generated files")
        for file in generated {
            let existing = try String(contentsOf: directory.appendingPathComponent(file.name), encoding: .utf8)
            XCTAssertTrue(existing == file.contents, "\(file.name) differs from a fresh generation; run scripts/generate-protos.sh")
        }
    }

    func testGenerationIsDeterministic() throws {
        let descriptorSet = try compileProtos()
        XCTAssertEqual(try ProtoCodegen.generate(descriptorSet: descriptorSet),
                       try ProtoCodegen.generate(descriptorSet: descriptorSet))
    }

    func testMalformedDescriptorSetIsATypedError() {
        XCTAssertThrowsError(try ProtoCodegen.generate(descriptorSet: [0x0A, 0x05, 0x01])) { error in
            XCTAssertEqual(error as? CodegenError, .malformedDescriptorSet(.lengthExceedsInput))
        }
    }

    // MARK: protoc

    /// Runs `protoc --include_imports --descriptor_set_out` over every .proto in proto/.
    /// A missing protoc is a failure, not a skip: this test is the guard on generated code.
    private func compileProtos() throws -> [UInt8] {
        let protoc = try XCTUnwrap(Self.findExecutable("protoc"),
                                   "protoc not found on PATH (apt-get install protobuf-compiler)")
        let protoRoot = repositoryRoot.appendingPathComponent("proto")
        let protos = try protoFiles(under: protoRoot)
        XCTAssertGreaterThan(protos.count, 0)

        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("sepal-protos-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: output) }

        let process = Process()
        process.executableURL = protoc
        process.arguments = ["--include_imports", "--descriptor_set_out=\(output.path)", "-I\(protoRoot.path)"] + protos
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // protoc takes well under a second; give it a generous deadline, then kill it by PID.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTFail("protoc did not finish within 60 s")
        }
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "protoc failed: \(stderr)")
        return [UInt8](try Data(contentsOf: output))
    }

    /// Paths relative to `root`, sorted byte-wise like the script does.
    private func protoFiles(under root: URL) throws -> [String] {
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            if path.hasSuffix(".proto") { files.append(path) }
        }
        return files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
