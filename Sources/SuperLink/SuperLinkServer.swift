import FAB
import FlowerTime
import HTTP
import LinkState
import NodeCrypto
import RPC

/// Everything `sepal superlink` serves, assembled from a configuration: the state is opened and
/// migrated first, then each API binds its port (a taken port is an error, never a shared bind),
/// then the servers start.
///
/// ```swift
/// let link = try await SuperLinkServer.start(configuration, state: state)
/// print(link.boundServerAppIoAddress)
/// await link.shutdown(grace: .seconds(2))
/// ```
public final class SuperLinkServer: Sendable {
    /// Where and how to serve.
    public struct Configuration: Sendable {
        public var controlAddress = "0.0.0.0:9093"
        public var serverAppIoAddress = "0.0.0.0:9091"
        /// nil in simulation mode (no Fleet API).
        public var fleetAddress: String? = "0.0.0.0:9092"
        /// How the Fleet API is served (`--fleet-api-type`).
        public var fleetAPIType = FleetAPIType.grpcRere
        /// HTTPS for the REST Fleet API (certificate chain and key; the CA is not used). Flower
        /// uses them whenever both are given, `--insecure` or not. nil = plain HTTP.
        public var restTLS: TLSServerConfig?
        /// Limits of the REST Fleet API's HTTP server.
        public var restLimits = HTTPServerConfig()
        public var healthAddress: String?
        /// TLS for Control and Fleet; nil with `--insecure`.
        public var tls: TLSServerConfig?
        public var storageDirectory: String
        public var options = ServiceContext.Options()
        /// How often expired app tokens and overdue nodes are swept without any RPC touching them.
        public var sweepInterval: Duration = .seconds(2)
        /// How often a `StreamLogs` call polls for new log lines (Flower: 0.5 s).
        public var logPollInterval: Duration = .milliseconds(500)
        /// Unix seconds for node-auth freshness, message validation and `now` fields. Tests inject
        /// the same controllable clock they give the state.
        public var clock: @Sendable () -> Double = FlowerTimestamp.now

        public init(storageDirectory: String) {
            self.storageDirectory = storageDirectory
        }
    }

    /// `--fleet-api-type`: what carries the Fleet RPCs.
    public enum FleetAPIType: String, Sendable, CaseIterable {
        /// `flwr.proto.Fleet/*` over gRPC, node-authenticated (signed metadata).
        case grpcRere = "grpc-rere"
        /// `flwr.proto.GrpcAdapter/SendReceive` tunnelling each Fleet RPC; no node signature auth.
        case grpcAdapter = "grpc-adapter"
        /// `POST /api/v0/fleet/<name>` over HTTP/1.1; no node signature auth.
        case rest
    }

    /// Errors while starting; the executable maps each to a one-line message and exit code.
    public enum StartError: Error, Sendable, CustomStringConvertible {
        case bind(api: String, address: String, RPCError)
        case httpBind(api: String, address: String, HTTPError)
        case storage(String)

        public var description: String {
            switch self {
            case .bind(let api, let address, let e): return "Cannot serve the \(api) API on \(address): \(e)"
            case .httpBind(let api, let address, let e): return "Cannot serve the \(api) API on \(address): \(e)"
            case .storage(let m): return m
            }
        }
    }

    private let servers: [RPCServer]
    private let rest: FleetRESTServer?
    private let sweeper: Task<Void, Never>
    /// The ServerAppIo address as bound (port resolved; `0.0.0.0` kept as given).
    public let boundServerAppIoAddress: String
    public let boundControlAddress: String
    public let boundFleetAddress: String?
    /// nil when no health server was asked for.
    public let boundHealthAddress: String?
    public let context: ServiceContext

    private init(
        servers: [RPCServer], rest: FleetRESTServer?, sweeper: Task<Void, Never>, context: ServiceContext,
        control: String, serverAppIo: String, fleet: String?, health: String?
    ) {
        self.servers = servers
        self.rest = rest
        self.sweeper = sweeper
        self.context = context
        self.boundControlAddress = control
        self.boundServerAppIoAddress = serverAppIo
        self.boundFleetAddress = fleet
        self.boundHealthAddress = health
    }

    /// Binds and starts every API on an already opened and migrated `state`.
    public static func start(_ config: Configuration, state: any LinkState) throws(StartError) -> SuperLinkServer {
        let fabs: FABStore
        do {
            fabs = try FABStore(directory: config.storageDirectory)
        } catch {
            throw .storage("Cannot use storage directory \(config.storageDirectory): \(error.description)")
        }
        let context = ServiceContext(state: state, fabs: fabs, options: config.options, clock: config.clock)

        var servers: [RPCServer] = []
        var rest: FleetRESTServer?
        func bind(_ api: String, _ address: String, tls: TLSServerConfig?, _ setup: (RPCServer) -> Void)
            throws(StartError) -> String
        {
            let server = RPCServer()
            setup(server)
            let port: Int
            do {
                port = try server.bind(address, tls: tls)
            } catch {
                throw .bind(api: api, address: address, error)
            }
            servers.append(server)
            return replacingPort(of: address, with: port)
        }

        do throws(StartError) {
            let serverAppIo = try bind("ServerAppIo", config.serverAppIoAddress, tls: nil) {
                ServerAppIoServicer(context: context).register(on: $0)
            }
            var fleet: String?
            if let fleetAddress = config.fleetAddress {
                switch config.fleetAPIType {
                case .grpcRere:
                    fleet = try bind("Fleet", fleetAddress, tls: config.tls) {
                        FleetServicer(context: context).register(on: $0)
                    }
                case .grpcAdapter:
                    fleet = try bind("Fleet", fleetAddress, tls: config.tls) {
                        GrpcAdapterServicer(context: context).register(on: $0)
                    }
                case .rest:
                    let server = FleetRESTServer(context: context, tls: config.restTLS != nil, config: config.restLimits)
                    do {
                        let tls = config.restTLS.map {
                            HTTPTLSConfig(certificateChainPEM: $0.certificateChainPEM, privateKeyPEM: $0.privateKeyPEM)
                        }
                        fleet = replacingPort(of: fleetAddress, with: try server.bind(fleetAddress, tls: tls))
                    } catch {
                        throw StartError.httpBind(api: "Fleet", address: fleetAddress, error)
                    }
                    rest = server
                }
            }
            var health: String?
            if let healthAddress = config.healthAddress {
                health = try bind("health", healthAddress, tls: nil) { HealthServicer().register(on: $0) }
            }
            // Control last: the Flower CLI takes a Control port that accepts as "the SuperLink is
            // up", and its SuperExec and first StartRun follow at once, so by then every other
            // API must be listening too (none serves before all are bound; see below).
            let control = try bind("Control", config.controlAddress, tls: config.tls) {
                ControlServicer(context: context, logPollInterval: config.logPollInterval).register(on: $0)
            }
            // REST first: it must serve by the time Control (a gRPC server) accepts.
            do {
                try rest?.start()
            } catch {
                throw StartError.httpBind(api: "Fleet", address: fleet ?? "", error)
            }
            for s in servers {
                do {
                    try s.start()
                } catch {
                    throw StartError.bind(api: "gRPC", address: "", error)
                }
            }
            let interval = config.sweepInterval
            let sweeper = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    _ = try? await state.sweep()
                }
            }
            return SuperLinkServer(
                servers: servers, rest: rest, sweeper: sweeper, context: context,
                control: control, serverAppIo: serverAppIo, fleet: fleet, health: health)
        } catch {
            for s in servers { s.shutdown(grace: .zero) }
            rest?.shutdown(grace: .zero)
            throw error
        }
    }

    /// Graceful stop: in-flight calls get `grace` to finish, then are cancelled. Blocks the calling
    /// thread: never call it from the cooperative pool (use the async variant there).
    public func shutdown(grace: Duration) {
        sweeper.cancel()
        for s in servers { s.shutdown(grace: grace) }
        rest?.shutdown(grace: grace)
    }

    /// `shutdown(grace:)` without blocking the cooperative pool: each server drains on a thread of
    /// its own, concurrently.
    public func shutdown(grace: Duration) async {
        sweeper.cancel()
        await withTaskGroup(of: Void.self) { group in
            for s in servers { group.addTask { await s.shutdown(grace: grace) } }
            if let rest { group.addTask { await rest.shutdown(grace: grace) } }
        }
    }
}

/// `host:port` with the port replaced (for `:0` binds).
func replacingPort(of address: String, with port: Int) -> String {
    guard let colon = address.lastIndex(of: ":") else { return "\(address):\(port)" }
    return "\(address[..<colon]):\(port)"
}
