import Foundation
import Synchronization

/// A child process with captured output, killed by PID if it outlives its deadline or the test.
///
/// Blocking waits happen on dedicated threads; async callers hop there and back.
final class Subprocess: Sendable {
    let process: Process
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let stdinPipe = Pipe()
    private let output = CapturedOutput()
    private let exited = DispatchSemaphore(value: 0)

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = stdinPipe
        self.process = process
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        stdoutPipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            output.data.withLock { $0.stdout.append(data) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            output.data.withLock { $0.stderr.append(data) }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { output.data.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    var stderr: String { output.data.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Closes the child's stdin (our Python helpers exit when it closes).
    func closeInput() {
        try? stdinPipe.fileHandleForWriting.close()
    }

    /// Waits for exit; SIGKILLs the PID after `timeout`. Returns the exit status (nil if killed).
    func wait(timeout: Duration) async -> Int32? {
        let exited = exited
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread {
                continuation.resume(returning: exited.wait(timeout: .after(timeout)) == .success)
            }.start()
        }
        if !finished {
            kill()
            return nil
        }
        exited.signal()  // keep the semaphore signalled for later waits
        drainOutput()
        return process.terminationStatus
    }

    /// Blocking variant for synchronous set-up code (never the cooperative pool).
    func waitBlocking(timeout: Duration) -> Int32? {
        guard exited.wait(timeout: .after(timeout)) == .success else {
            kill()
            return nil
        }
        exited.signal()
        drainOutput()
        return process.terminationStatus
    }

    /// Waits until stdout contains a full line starting with `prefix`; returns the rest.
    func waitForLine(prefix: String, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in stdout.split(separator: "\n") where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count))
            }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// SIGKILLs the child by PID if it still runs, and reaps it.
    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
            exited.signal()
        }
    }

    private func drainOutput() {
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        let restOut = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let restErr = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        output.data.withLock {
            $0.stdout.append(restOut)
            $0.stderr.append(restErr)
        }
    }

    deinit { kill() }
}

extension DispatchTime {
    static func after(_ duration: Duration) -> DispatchTime {
        let (seconds, attoseconds) = duration.components
        return .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}

/// What a child wrote, appended from pipe-reader threads.
final class CapturedOutput: Sendable {
    let data = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))
}
