// sql-bootstrap-probe: opens one state database from many threads at the same instant.
//
// Used by SQLTests' process storm: several of these processes open the same fresh file at
// once, so the bootstrap is exercised across processes, not only across threads.
//
//   sql-bootstrap-probe <db-path> <threads> <ready-file> <go-file>
//
// Every thread waits at a barrier; the process then creates <ready-file> and waits (polling,
// up to 60 s) for <go-file> to appear, releases all threads together, and each thread opens
// the database with Flower's migrator, checks the recorded version is the head, and inserts
// one run row. Exit 0 when every thread succeeded; otherwise each failure is printed to stderr
// and the exit code is 1 (2 for bad usage or a timeout).
import Dispatch
import Foundation
import SQL
import Synchronization

@main
enum BootstrapProbe {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 5, let threadCount = Int(args[2]), threadCount > 0 else {
            fail("usage: sql-bootstrap-probe <db-path> <threads> <ready-file> <go-file>", code: 2)
        }
        let (path, readyFile, goFile) = (args[1], args[3], args[4])

        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let failures = Mutex<[String]>([])

        for index in 0..<threadCount {
            Thread {
                arrived.signal()
                release.wait()
                if let failure = openOnce(path: path, index: index) { failures.withLock { $0.append(failure) } }
                finished.signal()
            }.start()
        }
        for _ in 0..<threadCount { arrived.wait() }
        guard FileManager.default.createFile(atPath: readyFile, contents: Data()) else {
            fail("cannot create \(readyFile)", code: 2)
        }

        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: goFile) {
            if Date() >= deadline { fail("timed out waiting for \(goFile)", code: 2) }
            usleep(200)
        }
        for _ in 0..<threadCount { release.signal() }
        for _ in 0..<threadCount { finished.wait() }

        let failed = failures.withLock { $0 }
        for line in failed { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        exit(failed.isEmpty ? 0 : 1)
    }

    /// One opener: open + migrate, check the version, write a row. Returns the failure, if any.
    static func openOnce(path: String, index: Int) -> String? {
        do {
            let db = try Database.open(path: path, migrator: .flowerStateMigrator)
            defer { db.close() }
            let version = try db.readBlocking { conn in
                try conn.queryOne("SELECT version_num FROM alembic_version")?.string(0)
            }
            guard version == FlowerStateSchema.headRevision else {
                return "pid \(getpid()) thread \(index): version is \(version ?? "missing")"
            }
            let runID = UInt64.random(in: 2...UInt64.max)
            try db.writeBlocking { conn in
                try conn.execute(
                    "INSERT INTO run (run_id, fab_id, pending_at) VALUES (?, ?, ?)", runID, "probe/\(getpid())/\(index)", "")
            }
            return nil
        } catch {
            return "pid \(getpid()) thread \(index): \(error)"
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
