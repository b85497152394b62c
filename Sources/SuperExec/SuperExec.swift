import FlowerProto
import Foundation

/// Flower's SuperExec loop for ServerApps (protocol §1.6): poll `ListAppsToLaunch`, take the
/// run's token with `RequestToken`, and launch `flwr-serverapp` (or `flwr-simulation` for
/// simulation runs) with it. An app that stops heartbeating fails its run on the SuperLink.
///
/// ```swift
/// let exec = SuperExec(configuration: .init(appIoAddress: "127.0.0.1:9091"))
/// try await exec.run()   // until the task is cancelled
/// ```
public final class SuperExec: Sendable {
    public struct Configuration: Sendable {
        /// The ServerAppIo address the apps and this loop talk to.
        public var appIoAddress: String
        public var pollInterval: Duration = .seconds(1)
        /// Program launched for `serverapp` runs.
        public var serverAppCommand = "flwr-serverapp"
        /// Program launched for `simulation` runs.
        public var simulationCommand = "flwr-simulation"
        public var inheritAppOutput = false

        public init(appIoAddress: String) {
            self.appIoAddress = appIoAddress
        }
    }

    public let configuration: Configuration
    public let launcher: AppLauncher
    let log: @Sendable (String) -> Void

    public init(configuration: Configuration, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.launcher = AppLauncher(inheritOutput: configuration.inheritAppOutput)
        self.log = log
    }

    /// Polls and launches until cancelled.
    public func run() async {
        let client = AppIoClient(address: configuration.appIoAddress)
        defer { client.close() }
        while !Task.isCancelled {
            do {
                try await launchNext(client)
            } catch is CancellationError {
                break
            } catch {
                log("SuperExec: \(error)")
            }
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }

    /// One poll: launches at most one app.
    func launchNext(_ client: AppIoClient) async throws {
        let ids = try await client.call(FlwrServerAppIo.listAppsToLaunch, FlwrListAppsToLaunchRequest()).runIDs
        guard let runID = ids.first else { return }
        var tokenRequest = FlwrRequestTokenRequest()
        tokenRequest.runID = runID
        let token = try await client.call(FlwrServerAppIo.requestToken, tokenRequest).token
        guard !token.isEmpty else { return }
        var runRequest = FlwrGetRunRequest()
        runRequest.runID = runID
        let run = try await client.call(FlwrServerAppIo.getRun, runRequest).run
        let command: String
        switch run?.runType ?? "serverapp" {
        case "serverapp": command = configuration.serverAppCommand
        case "simulation": command = configuration.simulationCommand
        case let other:
            log("SuperExec: run \(runID) has unknown run type '\(other)'; not launched")
            return
        }
        let args = [
            "--insecure", "--serverappio-api-address", configuration.appIoAddress,
            "--token", token, "--parent-pid", String(getpid()),
        ]
        let environment = Self.appEnvironment(inherited: ProcessInfo.processInfo.environment)
        do {
            let pid = try launcher.launch(executable: command, arguments: args, environment: environment)
            log("SuperExec: launched \(command) for run \(runID) (pid \(pid))")
        } catch {
            // Say so on the run itself instead of letting it wait for its token to expire, and
            // in its log, where `flwr log` shows it (a local SuperLink's own output goes nowhere).
            log("SuperExec: cannot launch run \(runID): \(error)")
            var logs = FlwrPushLogsRequest()
            logs.runID = runID
            logs.logs = ["ERROR :     SuperExec could not launch the app: \(error)\n"]
            _ = try? await client.call(FlwrServerAppIo.pushLogs, logs)
            var update = FlwrUpdateRunStatusRequest()
            update.runID = runID
            var status = FlwrRunStatus()
            status.status = "finished"
            status.subStatus = "failed"
            status.details = "SuperExec could not launch the app: \(error)"
            update.runStatus = status
            _ = try await client.call(FlwrServerAppIo.updateRunStatus, update)
        }
    }

    /// What a launched app gets on top of this process's environment (an inherited value wins).
    ///
    /// `GRPC_ENABLE_FORK_SUPPORT=false`: gRPC Python ≥ 1.81 (1.85.3 with flwr 1.28) restarts its
    /// poller threads in the child of every `fork()` (grpc/grpc#43055). A Python app with a live
    /// channel that starts a program through `fork` — Ray starts `gcs_server` and `raylet` with
    /// `subprocess` and a `preexec_fn` — then often loses that child to a crash before `exec`
    /// (about 1 fork in 40 here; 1 Ray start in 4 with Flower's own SuperExec), and the cluster
    /// never comes up ("gcs_server.err" missing, "node timed out during startup"). With fork
    /// support off gRPC leaves forked children alone; these apps never use gRPC in one.
    public static func appEnvironment(inherited: [String: String]) -> [String: String] {
        inherited["GRPC_ENABLE_FORK_SUPPORT"] == nil ? ["GRPC_ENABLE_FORK_SUPPORT": "false"] : [:]
    }
}
