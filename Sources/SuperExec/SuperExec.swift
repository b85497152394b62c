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
        // Each simulation gets its own Ray temp root (unless the user chose one): consecutive Ray
        // clusters sharing /tmp/ray (its `session_latest` and per-session state) were seen to
        // leave a new cluster's GCS unable to start ("gcs_server.err" missing) about once in
        // ten runs. One level below Flower's /tmp/ray, so Ray's logs stay where users look, and
        // short enough for Ray's Unix socket paths.
        var environment: [String: String] = [:]
        if command == configuration.simulationCommand, ProcessInfo.processInfo.environment["RAY_TMPDIR"] == nil {
            environment["RAY_TMPDIR"] = "/tmp/ray/sepal-run-\(String(runID, radix: 16))"
        }
        do {
            let pid = try launcher.launch(executable: command, arguments: args, environment: environment)
            log("SuperExec: launched \(command) for run \(runID) (pid \(pid))")
        } catch {
            // Say so on the run itself instead of letting it wait for its token to expire.
            log("SuperExec: cannot launch run \(runID): \(error)")
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
}
