import FAB
import FlowerTime
import LinkState
import NodeCrypto

/// What every servicer shares: state, the FAB store, the node-auth verifier and the options that
/// change behaviour. Immutable after start.
public struct ServiceContext: Sendable {
    public let state: any LinkState
    public let fabs: FABStore
    public let verifier: NodeAuthVerifier
    public let options: Options
    /// Unix seconds. Injectable so tests can move time.
    public let clock: @Sendable () -> Double

    /// Behaviour switches that mirror `flower-superlink` flags.
    public struct Options: Sendable {
        /// `--enable-supernode-auth`: Fleet self-registration is refused.
        public var enableSupernodeAuth: Bool
        /// `--simulation`: the NoOp federation advertises a simulation config.
        public var simulation: Bool

        public init(enableSupernodeAuth: Bool = false, simulation: Bool = false) {
            self.enableSupernodeAuth = enableSupernodeAuth
            self.simulation = simulation
        }
    }

    public init(
        state: any LinkState, fabs: FABStore, verifier: NodeAuthVerifier = NodeAuthVerifier(),
        options: Options = Options(), clock: @escaping @Sendable () -> Double = FlowerTimestamp.now
    ) {
        self.state = state
        self.fabs = fabs
        self.verifier = verifier
        self.options = options
        self.clock = clock
    }
}

/// The open-source ("NoOp") account and federation every caller and node belongs to.
enum NoOpAccount {
    static let flwrAid = "<id:none>"
    static let name = "none"
    static let federation = "@none/default"
    static let federationDescription = "A federation for testing and development purposes."
}

/// Flower's `HEARTBEAT_MIN_INTERVAL` / `HEARTBEAT_MAX_INTERVAL` (seconds).
enum HeartbeatBounds {
    static let range: ClosedRange<Double> = 10...1800
}
