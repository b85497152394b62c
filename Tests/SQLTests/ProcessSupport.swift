import Foundation
import Synchronization

/// Bytes appended from another thread.
final class DataSink: Sendable {
    private let data = Mutex(Data())
    func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
    func set(_ all: Data) { data.withLock { $0 = all } }
    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}

/// A child process whose combined stdout+stderr is collected, cleaned up by PID.
final class ChildProcess: Sendable {
    private let process: Process
    private let collected = DataSink()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        self.process = process
        let collected = self.collected
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if !chunk.isEmpty { collected.append(chunk) }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { collected.text }

    /// Polls (every 20 ms) until the output contains `text`, the process exits, or `timeout` s.
    func waitForOutput(containing text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// Waits up to `timeout` s for exit; returns the status, or nil if still running.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL after 10 s; by PID, and only if still running. Idempotent.
    func terminate() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if waitForExit(timeout: 10) == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
    }
}

func startProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
    try ChildProcess(executable, arguments, environment: environment)
}

/// Runs to completion (killed after `timeout` s) and returns the exit status and output.
func runProcess(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Drain both pipes on threads of their own so a chatty child cannot block on a full pipe.
    let outData = DataSink(), errData = DataSink()
    let drained = DispatchGroup()
    for (pipe, sink) in [(out, outData), (err, errData)] {
        drained.enter()
        Thread {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            sink.set(data)
            drained.leave()
        }.start()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
    drained.wait()
    process.waitUntilExit()
    return (
        process.terminationStatus,
        outData.text,
        errData.text)
}
