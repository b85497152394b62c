import Foundation
import LinkState
import RPC
import SQL
import SuperLink

/// `sepal superlink` (also run as `flower-superlink`): a drop-in Flower 1.28 SuperLink.
enum SuperLinkCommand {
    static func run(program: String, arguments: [String]) -> Never {
        let parser = SuperLinkFlags.parser(program: program)
        let args: ArgumentParser.Values
        do {
            args = try parser.parse(arguments)
        } catch {
            exitWithUsageError(usage: parser.usage, program: program, error.description)
        }
        if args.has("-h") {
            print(parser.help)
            exit(0)
        }
        if args.has("-V") {
            print(SepalVersion.banner)
            exit(0)
        }
        let log = Log.shared
        // From here on a termination signal is a graceful exit, whatever is up by then.
        let shutdown = Shutdown(farewell: "SuperLink terminated gracefully.")
        shutdown.installSignalHandlers()
        if let logFile = args.string("--log-file") {
            do {
                try log.attachFile(
                    logFile,
                    intervalHours: args.string("--log-rotation-interval-hours").flatMap { Int($0) } ?? 24,
                    backupCount: args.string("--log-rotation-backup-count").flatMap { Int($0) } ?? 7)
            } catch {
                exitWithError(nil, error.description)
            }
        }
        log.info("Starting Flower SuperLink (Sepal \(SepalVersion.version))")

        // Removed and conflicting flags, with Flower's messages and exit code.
        if args.string("--executor") != nil || args.string("--executor-dir") != nil || args.string("--executor-config") != nil {
            exitWithError(.invalidArgs,
                "The arguments `--executor`, `--executor-dir`, and `--executor-config` are deprecated and will be removed in a future release. To run SuperLink with the simulation runtime, please use `--simulation`.")
        }
        if args.explicit.contains("--control-api-address") && args.explicit.contains("--exec-api-address") {
            exitWithError(.invalidArgs,
                "Both `--control-api-address` and `--exec-api-address` are set. Please use only `--control-api-address` as `--exec-api-address` is deprecated.")
        }
        if args.string("--auth-list-public-keys") != nil {
            exitWithError(.invalidArgs,
                "The `--auth-list-public-keys` argument is no longer supported. To enable SuperNode authentication,  use the `--enable-supernode-auth` flag and use the Flower CLI to register SuperNodes by supplying their public keys. \(FlowerDocs.supernodeAuthReference)")
        }
        if args.explicit.contains("--simulationio-api-address") {
            log.warning("The `--simulationio-api-address` argument is deprecated. Use `--serverappio-api-address` instead.")
        }
        var controlAddress = args.string("--control-api-address") ?? "0.0.0.0:9093"
        if let exec = args.string("--exec-api-address") {
            log.warning("The `--exec-api-address` argument is deprecated and will be removed in a future release. Use `--control-api-address` instead.")
            controlAddress = exec
        }
        let fleetType = args.string("--fleet-api-type") ?? "grpc-rere"
        let simulation = args.has("--simulation")
        let insecure = args.has("--insecure")
        let enableAuth = args.has("--enable-supernode-auth")
        if insecure {
            log.warning("Option `--insecure` was set. Starting insecure HTTP server with unencrypted communication (TLS disabled). Proceed only if you understand the risks.")
        }
        if enableAuth {
            if insecure {
                exitWithError(.invalidArgs,
                    "The `--enable-supernode-auth` flag requires encrypted TLS communications. Please provide TLS certificates using the `--ssl-certfile`, `--ssl-keyfile` and `--ssl-ca-certfile` arguments to your SuperLink. \(FlowerDocs.supernodeAuthReference)")
            }
            if fleetType != "grpc-rere" {
                exitWithError(.invalidArgs,
                    "The `--enable-supernode-auth` flag is only supported with the gRPC-rere Fleet API transport. Please set `--fleet-api-type` to `grpc-rere`.")
            }
            if simulation {
                log.warning("SuperNode authentication is not applicable with the simulation runtime as no SuperNodes can connect to this SuperLink. Proceeding...")
            }
        } else {
            log.warning("SuperNode authentication is disabled. The SuperLink will accept connections from any SuperNode.")
        }
        guard let fleetAPIType = SuperLinkServer.FleetAPIType(rawValue: fleetType) else {
            exitWithError(.invalidArgs, "Unknown `--fleet-api-type`: \(fleetType)")
        }

        func address(_ value: String) -> String {
            guard let a = Address.normalise(value) else {
                exitWithError(.addressInvalid, "Address (\(value)) cannot be parsed.")
            }
            return a
        }
        let serverAppIo = address(args.string("--serverappio-api-address") ?? "0.0.0.0:9091")
        let control = address(controlAddress)
        let fleet = address(args.string("--fleet-api-address") ?? (fleetAPIType == .rest ? "0.0.0.0:9095" : "0.0.0.0:9092"))
        let health = args.string("--health-server-address").map { address($0) }

        let tls = loadTLS(args, insecure: insecure, fleetAPIType: fleetAPIType)
        let restTLS = fleetAPIType == .rest && !simulation ? loadRESTTLS(args) : nil
        let storageDir = args.string("--storage-dir") ?? (FlowerHome.path + "/superlink/ffs")
        let database = args.string("--database") ?? ":flwr-in-memory:"
        let isolation = args.string("--isolation") ?? "subprocess"

        // The Flower CLI's local SuperLink layout: hold its pid file (one per FLWR_HOME) before
        // the database is touched, so a second one refuses instead of racing the first.
        let pidFile: LocalPidFile.Held? = LocalPidFile.path(forStorageDir: storageDir).map { pidPath in
            do throws(LocalPidFile.AcquireError) {
                return try LocalPidFile.acquire(pidPath)
            } catch {
                // Give way, but not at once: two `flwr` commands on a fresh home each spawn a
                // local SuperLink, and the CLI checks whether *its* child exited before each probe
                // of the Control port, so a loser that exits in milliseconds fails that CLI although
                // the winner is about to answer. Wait (up to the CLI's own 15 s start-up timeout)
                // for the winner to serve, stay 2 s more (the CLI probes every 0.2 s), then refuse.
                if case .held = error, LocalPidFile.waitUntilServing(pidPath, timeout: .seconds(15)) {
                    Thread.sleep(forTimeInterval: 2)
                }
                exitWithError(nil, error.description)
            }
        }
        if let pidFile {
            pidFile.write(.init(pid: getpid(), fields: [("database", database)]))
            shutdown.add("pid file") { pidFile.clear() }
        }

        // The state is opened and migrated before any port listens.
        let opened = StateOpening.open(database)
        shutdown.add("state") { opened.close() }

        var config = SuperLinkServer.Configuration(storageDirectory: storageDir)
        config.controlAddress = control
        config.serverAppIoAddress = serverAppIo
        config.fleetAddress = simulation ? nil : fleet
        config.fleetAPIType = fleetAPIType
        config.restTLS = restTLS
        config.healthAddress = health
        config.tls = tls
        config.options = .init(enableSupernodeAuth: enableAuth, simulation: simulation)
        if !simulation, let workers = args.string("--fleet-api-num-workers").flatMap(ArgumentParser.pythonInt), workers != 1 {
            log.warning("The Fleet API currently supports only 1 worker. You have specified \(workers) workers. Support for multiple workers will be added in future releases. Proceeding with a single worker.")
        }
        let link: SuperLinkServer
        do {
            link = try SuperLinkServer.start(config, state: opened.state)
        } catch {
            exitWithError(nil, error.description)
        }
        shutdown.add("servers") { link.shutdown(grace: .seconds(2)) }
        log.info("Control API: \(link.boundControlAddress)" + (tls == nil ? " (insecure)" : " (TLS)"))
        log.info("ServerAppIo API: \(link.boundServerAppIoAddress)")
        if let f = link.boundFleetAddress {
            switch fleetAPIType {
            case .grpcRere: log.info("Fleet API (grpc-rere): \(f)" + (tls == nil ? " (insecure)" : " (TLS)"))
            case .grpcAdapter: log.info("Fleet API (GrpcAdapter): \(f)" + (tls == nil ? " (insecure)" : " (TLS)"))
            case .rest:
                log.info("Starting Flower REST server")
                log.info("Fleet API (REST): " + (restTLS == nil ? "http://" : "https://") + f)
            }
        }
        if let h = health { log.info("Health server: \(h)") }
        pidFile?.write(.init(pid: getpid(), fields: [
            ("control", link.boundControlAddress), ("serverappio", link.boundServerAppIoAddress), ("database", database),
        ]))

        if isolation == "subprocess" {
            let appIo = Address.loopbackClientAddress(link.boundServerAppIoAddress)
            let supervisor = SuperExecSupervisor(appIoAddress: appIo)
            shutdown.add("SuperExec") { supervisor.stop() }
            supervisor.start()
        }
        dispatchMain()
    }

    /// The `--ssl-*` files, or nil with `--insecure`. Without `--insecure` all three are
    /// required and must be files; otherwise exits with Flower's message (status 1, no code).
    static func loadTLS(
        _ args: ArgumentParser.Values, insecure: Bool, fleetAPIType: SuperLinkServer.FleetAPIType
    ) -> TLSServerConfig? {
        let flags = ["--ssl-certfile", "--ssl-keyfile", "--ssl-ca-certfile"]
        let given = flags.compactMap { args.string($0) }
        if insecure {
            // REST still uses the certificate and key (see loadRESTTLS).
            if !given.isEmpty && fleetAPIType != .rest {
                Log.shared.warning("`--insecure` is set: the `--ssl-*` files are ignored.")
            }
            return nil
        }
        guard !given.isEmpty else {
            // Flower's text, its `—-` typo and quoting included.
            exitWithError(nil,
                "Certificates are required unless running in insecure mode. Please provide certificate paths to `--ssl-certfile`, `--ssl-keyfile`, and `—-ssl-ca-certfile` or run the server in insecure mode using '--insecure' if you understand the risks.")
        }
        guard let cert = args.string("--ssl-certfile"), let key = args.string("--ssl-keyfile"),
              let ca = args.string("--ssl-ca-certfile")
        else {
            exitWithError(nil,
                "You need to provide valid file paths to `--ssl-certfile`, `--ssl-keyfile`, and `--ssl-ca-certfile` to create a secure connection in Fleet API server (gRPC-rere).")
        }
        // Flower checks them in this order.
        for (flag, path) in [("--ssl-ca-certfile", ca), ("--ssl-certfile", cert), ("--ssl-keyfile", key)] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                exitWithError(nil, "Path argument `\(flag)` does not point to a file.")
            }
        }
        func read(_ flag: String, _ path: String) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else {
                exitWithError(nil, "Cannot read the file of `\(flag)` (\(path)).")
            }
            return Array(data)
        }
        return TLSServerConfig(
            rootCertificatesPEM: read("--ssl-ca-certfile", ca), certificateChainPEM: read("--ssl-certfile", cert),
            privateKeyPEM: read("--ssl-keyfile", key))
    }
}

extension SuperLinkCommand {
    /// HTTPS material for the REST Fleet API: `--ssl-certfile` and `--ssl-keyfile`, used whenever
    /// both are given (as Flower's uvicorn does, even with `--insecure`); nil = plain HTTP. One
    /// without the other crashes Flower's REST thread (`Exit Code: 100`); Sepal refuses it with
    /// that code up front.
    static func loadRESTTLS(_ args: ArgumentParser.Values) -> TLSServerConfig? {
        let cert = args.string("--ssl-certfile"), key = args.string("--ssl-keyfile")
        guard cert != nil || key != nil else { return nil }
        guard let cert, let key else {
            exitWithError(.superlinkThreadCrash,
                "The REST Fleet API needs both `--ssl-certfile` and `--ssl-keyfile` to serve HTTPS (or neither for HTTP).")
        }
        func read(_ flag: String, _ path: String) -> [UInt8] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path)
            else {
                exitWithError(nil, "Path argument `\(flag)` does not point to a file.")
            }
            return Array(data)
        }
        return TLSServerConfig(certificateChainPEM: read("--ssl-certfile", cert), privateKeyPEM: read("--ssl-keyfile", key))
    }
}

/// `$FLWR_HOME`, default `~/.flwr`.
enum FlowerHome {
    static var path: String {
        if let h = ProcessInfo.processInfo.environment["FLWR_HOME"], !h.isEmpty { return h }
        return NSHomeDirectory() + "/.flwr"
    }
}

/// Flower documentation pages its messages point to.
enum FlowerDocs {
    /// The sentence Flower ends its SuperNode-authentication errors with.
    static var supernodeAuthReference: String {
        "Please refer to the Flower documentation for more information: https://flower.ai/docs/framework/v\(SepalVersion.flowerCompatibility)/en/how-to-authenticate-supernodes.html"
    }
}

/// Sepal's version, reported by `--version` together with the Flower version it speaks.
enum SepalVersion {
    static let version = "0.1.0"
    static let flowerCompatibility = "1.28.0"
    static var banner: String { "Sepal \(version) (Flower \(flowerCompatibility) compatible)" }
}
