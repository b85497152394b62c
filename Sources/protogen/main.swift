// protogen: `protogen <descriptor-set.pb> <output-dir>` writes one Swift file per .proto in
// the descriptor set (see ProtoCodegen) and removes stale `*.pb.swift` files from output-dir.
// Normally run through scripts/generate-protos.sh.

import Foundation
import ProtoCodegen

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: protogen <descriptor-set.pb> <output-dir>\n".utf8))
    exit(2)
}

do {
    let input = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
    let files = try ProtoCodegen.generate(descriptorSet: [UInt8](input))
    let outputDirectory = URL(fileURLWithPath: arguments[2], isDirectory: true)
    let manager = FileManager.default
    try manager.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    let generated = Set(files.map(\.name))
    for existing in try manager.contentsOfDirectory(atPath: outputDirectory.path)
    where existing.hasSuffix(".pb.swift") && !generated.contains(existing) {
        try manager.removeItem(at: outputDirectory.appendingPathComponent(existing))
    }
    for file in files {
        try Data(file.contents.utf8).write(to: outputDirectory.appendingPathComponent(file.name), options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("protogen: \(error)\n".utf8))
    exit(1)
}
