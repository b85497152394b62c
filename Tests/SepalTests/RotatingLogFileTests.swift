import Foundation
import XCTest

@testable import sepal

/// `--log-file` rotation must produce the files `flower-superlink` (Python's
/// `TimedRotatingFileHandler(when="H", utc=True)`) produces, on the same schedule.
final class RotatingLogFileTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "sepal-logrot-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>"
    }

    func testRotatesOnScheduleNamingTheIntervalStartInUTC() throws {
        let path = directory + "/superlink.log"
        // 2026-12-04 00:10:00 UTC
        let start = 1_796_343_000
        let log = try RotatingLogFile(path: path, intervalHours: 2, backupCount: 7, now: start)
        XCTAssertEqual(log.rolloverAt, start + 7200)
        log.write(Array("one\n".utf8), now: start)
        log.write(Array("two\n".utf8), now: start + 7199)
        XCTAssertEqual(log.backups(), [], "not due yet")
        log.write(Array("three\n".utf8), now: start + 7200)
        // The rotated file is named after the start of the interval it covers: 00:10 → "_00".
        XCTAssertEqual(log.backups(), [path + ".2026-12-04_00"])
        XCTAssertEqual(contents(path + ".2026-12-04_00"), "one\ntwo\n")
        XCTAssertEqual(contents(path), "three\n")
        XCTAssertEqual(log.rolloverAt, start + 7200 + 7200)
    }

    func testKeepsOnlyTheNewestBackups() throws {
        let path = directory + "/superlink.log"
        let start = 1_796_343_000
        let log = try RotatingLogFile(path: path, intervalHours: 1, backupCount: 3, now: start)
        // Unrelated files in the same directory are never touched.
        XCTAssertTrue(FileManager.default.createFile(atPath: path + ".old", contents: Data("x".utf8)))
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/other.log.2020-01-01_00", contents: Data("x".utf8)))
        for hour in 0..<6 {
            log.write(Array("hour \(hour)\n".utf8), now: start + hour * 3600)
        }
        let names = log.backups().map { URL(fileURLWithPath: $0).lastPathComponent }
        XCTAssertEqual(names, ["superlink.log.2026-12-04_02", "superlink.log.2026-12-04_03", "superlink.log.2026-12-04_04"])
        XCTAssertEqual(contents(path + ".2026-12-04_04"), "hour 4\n")
        XCTAssertEqual(contents(path), "hour 5\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".old"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/other.log.2020-01-01_00"))
    }

    func testLongIdleRearmsFromNowAndExistingFileUsesItsMtime() throws {
        let path = directory + "/superlink.log"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("before\n".utf8)))
        let mtime = 1_796_000_000
        var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        let log = try RotatingLogFile(path: path, intervalHours: 1, backupCount: 7, now: mtime + 100_000)
        XCTAssertEqual(log.rolloverAt, mtime + 3600, "an existing file is due one interval after its mtime")
        log.write(Array("after\n".utf8), now: mtime + 100_000)
        XCTAssertEqual(contents(path + "." + RotatingLogFile.suffix(forIntervalStart: mtime)), "before\n")
        XCTAssertEqual(log.rolloverAt, mtime + 100_000 + 3600, "re-armed from the rotation time")
    }

    func testBackupSuffixPattern() {
        XCTAssertTrue(RotatingLogFile.isBackupSuffix("2026-12-04_00"))
        XCTAssertTrue(RotatingLogFile.isBackupSuffix("2026-12-04_00.gz"))
        XCTAssertFalse(RotatingLogFile.isBackupSuffix("2026-12-04"))
        XCTAssertFalse(RotatingLogFile.isBackupSuffix("2026-12-04_0x"))
        XCTAssertFalse(RotatingLogFile.isBackupSuffix("2026-12-04_00."))
        XCTAssertFalse(RotatingLogFile.isBackupSuffix("2026-12-04_00.g-z"))
        XCTAssertFalse(RotatingLogFile.isBackupSuffix("old"))
    }

    func testUnwritableDirectoryIsAnError() {
        XCTAssertThrowsError(try RotatingLogFile(
            path: directory + "/missing/superlink.log", intervalHours: 24, backupCount: 7, now: 0))
    }
}
