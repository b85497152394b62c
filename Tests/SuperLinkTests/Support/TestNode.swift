import FlowerProto
import FlowerTime
import NodeCrypto
import RPC

/// A simulated SuperNode: its key pair and, once registered, its node ID. It signs Fleet calls
/// exactly like Flower's client: `flwr-public-key-bin` = PEM SubjectPublicKeyInfo,
/// `flwr-timestamp` = `datetime.now(UTC).isoformat()`, `flwr-signature-bin` = DER ECDSA-SHA256 over
/// the timestamp's ASCII bytes.
struct TestNode: Sendable {
    let key: ECPrivateKey
    var id: UInt64 = 0

    init(key: ECPrivateKey = .generateP384(), id: UInt64 = 0) {
        self.key = key
        self.id = id
    }

    var publicKeyPEM: [UInt8] { key.publicKeyPEM }

    var node: FlwrNode {
        var n = FlwrNode()
        n.nodeID = id
        return n
    }

    /// How a call's auth metadata is built; everything but `.valid` is an attack or a bug.
    enum Signing: Sendable {
        case valid
        /// No metadata at all.
        case none
        /// One of the three headers left out.
        case omit(String)
        /// Signed by another key (the PEM sent is still this node's).
        case signedBy(ECPrivateKey)
        case signature([UInt8])
        case publicKey([UInt8])
        /// A correctly signed timestamp `offset` seconds away from now.
        case timestampOffset(Double)
        /// A timestamp and signature captured earlier (a replay).
        case replay(timestamp: String, signature: [UInt8])
    }

    static let publicKeyHeader = "flwr-public-key-bin"
    static let timestampHeader = "flwr-timestamp"
    static let signatureHeader = "flwr-signature-bin"

    /// A signed timestamp for `now`, as the client would send it.
    func signedTimestamp(at now: Double) -> (timestamp: String, signature: [UInt8]) {
        let timestamp = FlowerTimestamp.iso(now)
        return (timestamp, key.sign(Array(timestamp.utf8)))
    }

    func metadata(now: Double, _ signing: Signing = .valid) -> Metadata {
        var pem = publicKeyPEM
        var (timestamp, signature) = signedTimestamp(at: now)
        var omitted: String?
        switch signing {
        case .valid: break
        case .none: return Metadata()
        case .omit(let header): omitted = header
        case .signedBy(let other): signature = other.sign(Array(timestamp.utf8))
        case .signature(let bytes): signature = bytes
        case .publicKey(let bytes): pem = bytes
        case .timestampOffset(let offset): (timestamp, signature) = signedTimestamp(at: now + offset)
        case .replay(let ts, let sig): (timestamp, signature) = (ts, sig)
        }
        var md = Metadata()
        if omitted != Self.publicKeyHeader { md.add(Self.publicKeyHeader, pem) }
        if omitted != Self.timestampHeader { md.add(Self.timestampHeader, timestamp) }
        if omitted != Self.signatureHeader { md.add(Self.signatureHeader, signature) }
        return md
    }
}

extension TestLink {
    /// Registers a fresh node over Fleet (and activates it with `heartbeatInterval` unless nil).
    func newNode(activate heartbeatInterval: Double? = 30) async throws -> TestNode {
        var node = TestNode()
        var reg = FlwrRegisterNodeFleetRequest()
        reg.publicKey = node.publicKeyPEM
        node.id = try await fleet(node, FlwrFleet.registerNode, reg).nodeID
        if let heartbeatInterval {
            var act = FlwrActivateNodeRequest()
            act.publicKey = node.publicKeyPEM
            act.heartbeatInterval = heartbeatInterval
            let activated = try await fleet(node, FlwrFleet.activateNode, act).nodeID
            precondition(activated == node.id)
        }
        return node
    }

    func heartbeat(_ node: TestNode, interval: Double = 30, signing: TestNode.Signing = .valid) async throws -> Bool {
        var req = FlwrSendNodeHeartbeatRequest()
        req.node = node.node
        req.heartbeatInterval = interval
        return try await fleet(node, FlwrFleet.sendNodeHeartbeat, req, signing: signing).success
    }
}
