import Foundation
import XCTest

@testable import SuperExec

/// Apps take their whole process group with them (Ray leaves agents behind its driver).
final class AppLauncherTests: XCTestCase {
    /// Starts `sh` that forks a background `sleep` into its group and reports its PID in `file`.
    private func launchWithGrandchild(_ launcher: AppLauncher, script: String) throws -> (Int32, Int32) {
        let file = NSTemporaryDirectory() + "sepal-applauncher-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let pid = try launcher.launch(executable: "/bin/sh", arguments: ["-c", "sleep 300 & echo $! > \(file); \(script)"])
        let deadline = Date().addingTimeInterval(10)
        var grandchild: Int32?
        while grandchild == nil, Date() < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let n = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                grandchild = n
            } else {
                usleep(10_000)
            }
        }
        let found = try XCTUnwrap(grandchild, "the app never reported its child")
        addTeardownBlock { kill(found, SIGKILL); kill(pid, SIGKILL) }
        return (pid, found)
    }

    private func waitGone(_ pid: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // A zombie still answers kill(0); ask /proc for its state as well.
            if kill(pid, 0) != 0 { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               stat.split(separator: ")").last?.split(separator: " ").first == "Z"
            {
                return true
            }
            usleep(20_000)
        }
        return false
    }

    func testTerminateAllStopsTheAppsWholeGroup() throws {
        let launcher = AppLauncher()
        let (pid, grandchild) = try launchWithGrandchild(launcher, script: "wait")
        XCTAssertEqual(getpgid(pid), pid, "the app leads its own process group")
        XCTAssertEqual(getpgid(grandchild), pid)
        launcher.terminateAll(grace: .seconds(3))
        XCTAssertTrue(waitGone(pid, within: 5))
        XCTAssertTrue(waitGone(grandchild, within: 5), "the app's child must not outlive the stop")
    }

    func testLeftoversOfAnExitedAppAreStopped() throws {
        let launcher = AppLauncher()
        // The app exits at once, leaving its background child behind in its group.
        let (pid, grandchild) = try launchWithGrandchild(launcher, script: "exit 0")
        XCTAssertTrue(waitGone(pid, within: 5))
        XCTAssertTrue(waitGone(grandchild, within: 10), "what an app leaves in its group is stopped after it exits")
    }

    func testTerminateAllKillsWhatIgnoresSIGTERM() throws {
        let launcher = AppLauncher()
        let (pid, grandchild) = try launchWithGrandchild(launcher, script: "trap '' TERM; while :; do sleep 1; done")
        launcher.terminateAll(grace: .milliseconds(300))
        XCTAssertTrue(waitGone(pid, within: 5))
        XCTAssertTrue(waitGone(grandchild, within: 5))
    }

    func testAppGetsOnlyStandardDescriptorsAndDefaultSignals() throws {
        let leaked = open("/dev/null", O_RDONLY)  // no O_CLOEXEC: would be inherited by a plain fork/exec
        defer { close(leaked) }
        let previous = signal(SIGTERM, SIG_IGN)  // as a process with its own SIGTERM handling has it
        defer { signal(SIGTERM, previous) }
        let file = NSTemporaryDirectory() + "sepal-applauncher-fds-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let launcher = AppLauncher()
        let pid = try launcher.launch(
            executable: "/bin/sh",
            arguments: ["-c", "ls /proc/$$/fd > \(file).tmp; mv \(file).tmp \(file); exec sleep 300"])
        addTeardownBlock { kill(pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: file), Date() < deadline { usleep(10_000) }
        let fds = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        // 0-2, plus the directory `ls` itself has open while listing.
        XCTAssertFalse(fds.contains(Int(leaked)), "descriptor \(leaked) leaked into the app: \(fds)")
        XCTAssertLessThanOrEqual(fds.count, 4, "\(fds)")
        // SIGTERM still ends it: the ignored disposition was not inherited.
        kill(pid, SIGTERM)
        XCTAssertTrue(waitGone(pid, within: 5))
    }

    func testEnvironmentOverridesAreAddedToTheInheritedOnes() throws {
        let file = NSTemporaryDirectory() + "sepal-applauncher-env-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let launcher = AppLauncher()
        let pid = try launcher.launch(
            executable: "/bin/sh", arguments: ["-c", "echo \"$SEPAL_TEST_VALUE|$PATH\" > \(file).tmp; mv \(file).tmp \(file)"],
            environment: ["SEPAL_TEST_VALUE": "from-launcher"])
        addTeardownBlock { kill(pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: file), Date() < deadline { usleep(10_000) }
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(text, "from-launcher|" + (ProcessInfo.processInfo.environment["PATH"] ?? ""))
    }
}
