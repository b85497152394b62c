import Foundation
import XCTest

@testable import SQL

/// A scratch directory removed when the value is released.
final class TempDir {
    let url: URL

    init(_ label: String = "sqltests") throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// `sqlite_master` of `path`, read through a read-only connection (never changes the file).
func masterEntries(_ path: String) throws -> [MasterEntry] {
    let conn = try Connection.openReadOnly(path: path)
    defer { conn.close() }
    return try conn.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").map {
        MasterEntry(type: $0.string(0) ?? "", name: $0.string(1) ?? "", table: $0.string(2) ?? "", sql: $0.string(3))
    }
}

/// Rows of `sql` in a file, read-only.
func readOnlyQuery(_ path: String, _ sql: String) throws -> [Row] {
    let conn = try Connection.openReadOnly(path: path)
    defer { conn.close() }
    return try conn.query(sql)
}

func fileBytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

func modificationDate(_ path: String) throws -> Date {
    try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
}

/// Tests/SQLTests/Fixtures/<name>.
func fixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

/// Differences between two sqlite_master listings, for readable failures.
func describeDifferences(_ actual: [MasterEntry], _ expected: [MasterEntry]) -> String {
    var lines: [String] = []
    for i in 0..<max(actual.count, expected.count) {
        let a = i < actual.count ? actual[i].description : "<none>"
        let e = i < expected.count ? expected[i].description : "<none>"
        if a != e { lines.append("#\(i)\n  actual:   \(a)\n  expected: \(e)") }
    }
    return lines.joined(separator: "\n")
}
