import Foundation
import RPC
import XCTest

/// A by-hand microbenchmark: 1-KiB unary echo, client in this process, server in a child
/// process (this same test binary), so the server's CPU per call is measured on its own.
///
///     swift build -c release --build-tests   # once
///     RPC_BENCHMARK=1 swift test -c release --skip-build --filter BenchmarkTests
///
/// Skipped unless `RPC_BENCHMARK=1`.
final class BenchmarkTests: XCTestCase {
    private static let environment = ProcessInfo.processInfo.environment

    func testUnaryEchoThroughput() async throws {
        guard Self.environment["RPC_BENCHMARK"] == "1" else { throw XCTSkip("set RPC_BENCHMARK=1") }
        // RPC_BENCHMARK_PYTHON=1 measures a grpcio server instead, for comparison.
        let python = Self.environment["RPC_BENCHMARK_PYTHON"] == "1"
        let child = python
            ? try Subprocess(try PythonGRPC.requireInterpreter(), ["-c", PythonGRPC.serverScript])
            : try Subprocess(
                CommandLine.arguments[0], ["RPCTests.BenchmarkTests/testServeForBenchmark"],
                environment: ["RPC_BENCHMARK_ROLE": "server"])
        let path = python ? "/test.Echo/Say" : "/bench.Echo/Say"
        defer { child.kill() }
        let portLine = await child.waitForLine(prefix: "PORT ", timeout: .seconds(30))
        let port = try XCTUnwrap(portLine.flatMap { Int($0) }, child.stderr)
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }
        let payload = randomBytes(1024)
        let seconds = Double(Self.environment["RPC_BENCHMARK_SECONDS"] ?? "4") ?? 4

        _ = try await load(channel, path, payload, inFlight: 32, duration: .seconds(1))  // warm-up
        for inFlight in [1, 32] {
            let threadsBefore = threadCPU(pid: child.pid)
            let serverBefore = try processCPU(pid: child.pid)
            let clientBefore = ownCPU()
            let started = ContinuousClock.now
            let calls = try await load(channel, path, payload, inFlight: inFlight, duration: .seconds(seconds))
            let elapsed = ContinuousClock.now - started
            let serverCPU = try processCPU(pid: child.pid) - serverBefore
            let clientCPU = ownCPU() - clientBefore
            let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(String(
                format: "BENCH %@ unary 1KiB echo, %2d in flight: %7.0f calls/s, server CPU %5.1f µs/call, client CPU %5.1f µs/call (%d calls, %.1f s)",
                python ? "grpcio" : "sepal", inFlight, Double(calls) / wall, serverCPU / Double(calls) * 1e6, clientCPU / Double(calls) * 1e6, calls, wall))
            let threadsAfter = threadCPU(pid: child.pid)
            let perThread = threadsAfter.map { name, seconds in (name, seconds - (threadsBefore[name] ?? 0)) }
                .sorted { $0.1 > $1.1 }
                .map { String(format: "%@ %.1f", $0.0, $0.1 / Double(calls) * 1e6) }
            print("BENCH   server µs/call by thread: " + perThread.joined(separator: ", "))
        }
        child.closeInput()
        _ = await child.wait(timeout: .seconds(20))
    }

    /// The benchmark's server side; runs only as the child of `testUnaryEchoThroughput`.
    func testServeForBenchmark() async throws {
        guard Self.environment["RPC_BENCHMARK_ROLE"] == "server" else { throw XCTSkip("benchmark child only") }
        var config = ServerConfig()
        // RPC_BENCHMARK_SERVER_ARGS="grpc.http2.bdp_probe=0,..." tries extra channel arguments.
        for pair in (Self.environment["RPC_BENCHMARK_SERVER_ARGS"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let value = Int32(parts[1]) {
                config.additionalIntegerArguments.append(.init(String(parts[0]), value))
            }
        }
        let server = RPCServer(config: config)
        server.registerUnary("/bench.Echo/Say") { request, _ in request }
        let port = try server.bind("127.0.0.1:0", tls: nil)
        try server.start()
        FileHandle.standardOutput.write(Data("PORT \(port)\n".utf8))  // unbuffered, unlike print
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                _ = FileHandle.standardInput.readDataToEndOfFile()  // until the parent closes stdin
                continuation.resume()
            }.start()
        }
        await server.shutdown(grace: .seconds(1))
    }

    private func load(_ channel: RPCChannel, _ path: String, _ payload: [UInt8], inFlight: Int, duration: Duration) async throws -> Int {
        let end = ContinuousClock.now + duration
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var calls = 0
                    while ContinuousClock.now < end {
                        let reply = try await channel.unary(path, request: payload, timeout: .seconds(10))
                        precondition(reply.count == payload.count)
                        calls += 1
                    }
                    return calls
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// user+system CPU seconds of `pid`, from /proc/<pid>/stat.
    private func processCPU(pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(fields[11])! + Double(fields[12])!  // utime, stime (fields 14, 15)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds per thread name of `pid`, from /proc/<pid>/task/*/stat.
    private func threadCPU(pid: Int32) -> [String: Double] {
        var totals: [String: Double] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            totals[name, default: 0] += (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        return totals
    }

    private func ownCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
