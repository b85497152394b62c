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
            FileHandle.standardError.write(Data((parser.usage + "\n\(program): error: \(error)\n").utf8))
            exit(2)
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
        if let logFile = args.string("--log-file") {
            do {
                try log.attachFile(logFile)
            } catch {
                exitWithError(.invalidArgs, "Cannot write the log file \(logFile): \(error.localizedDescription)")
            }
        }
        _ = try? parseInt(args, "--log-rotation-interval-hours", default: 24)
        _ = try? parseInt(args, "--log-rotation-backup-count", default: 7)
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
                "The `--auth-list-public-keys` argument is no longer supported. To enable SuperNode authentication, use the `--enable-supernode-auth` flag and use the Flower CLI to register SuperNodes by supplying their public keys.")
        }
        if args.explicit.contains("--simulationio-api-address") {
            log.warning("The `--simulationio-api-address` argument is deprecated. Use `--serverappio-api-address` instead.")
        }
        var controlAddress = args.string("--control-api-address") ?? "0.0.0.0:9093"
        if let exec = args.string("--exec-api-address") {
            log.warning("The `--exec-api-address` argument is deprecated and will be removed in a future release. Use `--control-api-address` instead.")
            controlAddress = exec
        }
        if let workers = args.string("--fleet-api-num-workers"), workers != "1" {
            log.warning("Changing `--fleet-api-num-workers` is not supported; using 1 worker (Sepal serves Fleet calls concurrently).")
        }
        let fleetType = args.string("--fleet-api-type") ?? "grpc-rere"
        let simulation = args.has("--simulation")
        let insecure = args.has("--insecure")
        let enableAuth = args.has("--enable-supernode-auth")
        if enableAuth {
            if insecure {
                exitWithError(.invalidArgs,
                    "The `--enable-supernode-auth` flag requires encrypted TLS communications. Please provide TLS certificates using the `--ssl-certfile`, `--ssl-keyfile` and `--ssl-ca-certfile` arguments to your SuperLink.")
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
        if !simulation && fleetType != "grpc-rere" {
            exitWithError(.invalidArgs, "`--fleet-api-type \(fleetType)` is not implemented by Sepal yet; use `grpc-rere` (the default).")
        }

        func address(_ flag: String, _ value: String) -> String {
            guard let a = Address.normalise(value) else {
                exitWithError(.addressInvalid, "Address (\(value)) cannot be parsed.")
            }
            return a
        }
        let serverAppIo = address("--serverappio-api-address", args.string("--serverappio-api-address") ?? "0.0.0.0:9091")
        let control = address("--control-api-address", controlAddress)
        let fleet = address("--fleet-api-address", args.string("--fleet-api-address") ?? "0.0.0.0:9092")
        let health = args.string("--health-server-address").map { address("--health-server-address", $0) }

        let tls = loadTLS(args, insecure: insecure)
        let storageDir = args.string("--storage-dir") ?? (FlowerHome.path + "/superlink/ffs")
        let database = args.string("--database") ?? ":flwr-in-memory:"
        let isolation = args.string("--isolation") ?? "subprocess"

        // The state is opened and migrated before any port listens.
        let state = StateOpening.open(database)

        var config = SuperLinkServer.Configuration(storageDirectory: storageDir)
        config.controlAddress = control
        config.serverAppIoAddress = serverAppIo
        config.fleetAddress = simulation ? nil : fleet
        config.healthAddress = health
        config.tls = tls
        config.options = .init(enableSupernodeAuth: enableAuth, simulation: simulation)
        let link: SuperLinkServer
        do {
            link = try SuperLinkServer.start(config, state: state)
        } catch {
            exitWithError(.invalidArgs, error.description)
        }
        log.info("Control API: \(link.boundControlAddress)" + (tls == nil ? " (insecure)" : " (TLS)"))
        log.info("ServerAppIo API: \(link.boundServerAppIoAddress)")
        if let f = link.boundFleetAddress { log.info("Fleet API (grpc-rere): \(f)" + (tls == nil ? " (insecure)" : " (TLS)")) }
        if let h = health { log.info("Health server: \(h)") }

        var supervisor: SuperExecSupervisor?
        if isolation == "subprocess" {
            let appIo = Address.loopbackClientAddress(link.boundServerAppIoAddress)
            supervisor = SuperExecSupervisor(appIoAddress: appIo)
            supervisor?.start()
        }
        let stopSupervisor = supervisor
        Signals.onTermination { signal in
            log.info("Received \(signal.name): shutting down")
            stopSupervisor?.stop()
            link.shutdown(grace: .seconds(2))
            log.info("SuperLink terminated gracefully.")
            log.flush()
            exit(signal.exitCode.rawValue)
        }
        dispatchMain()
    }

    static func parseInt(_ args: ArgumentParser.Values, _ flag: String, default value: Int) throws -> Int {
        guard let s = args.string(flag) else { return value }
        guard let i = Int(s) else {
            exitWithError(.usage, "argument \(flag): invalid int value: '\(s)'")
        }
        return i
    }

    /// The `--ssl-*` files, or nil with `--insecure`. Without `--insecure` all three are required.
    static func loadTLS(_ args: ArgumentParser.Values, insecure: Bool) -> TLSServerConfig? {
        if insecure {
            if args.string("--ssl-certfile") != nil || args.string("--ssl-keyfile") != nil {
                Log.shared.warning("`--insecure` is set: the `--ssl-*` files are ignored.")
            }
            return nil
        }
        guard let cert = args.string("--ssl-certfile"), let key = args.string("--ssl-keyfile"),
              let ca = args.string("--ssl-ca-certfile")
        else {
            exitWithError(.invalidArgs,
                "Certificates are required unless running in insecure mode. Please provide certificate paths to `--ssl-certfile`, `--ssl-keyfile`, and `--ssl-ca-certfile` or run the server in insecure mode using `--insecure` if you understand the risks.")
        }
        func read(_ path: String) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else {
                exitWithError(.invalidArgs, "Cannot read TLS file \(path)")
            }
            return Array(data)
        }
        return TLSServerConfig(rootCertificatesPEM: read(ca), certificateChainPEM: read(cert), privateKeyPEM: read(key))
    }
}

/// `$FLWR_HOME`, default `~/.flwr`.
enum FlowerHome {
    static var path: String {
        if let h = ProcessInfo.processInfo.environment["FLWR_HOME"], !h.isEmpty { return h }
        return NSHomeDirectory() + "/.flwr"
    }
}

/// Sepal's version, reported by `--version` together with the Flower version it speaks.
enum SepalVersion {
    static let version = "0.1.0"
    static let flowerCompatibility = "1.28.0"
    static var banner: String { "Sepal \(version) (Flower \(flowerCompatibility) compatible)" }
}
