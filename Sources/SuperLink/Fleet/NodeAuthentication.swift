import LinkState
import NodeCrypto
import RPC

/// Fleet's node-auth check (protocol §4.1), run before every Fleet handler: the signed
/// timestamp must verify under the public key in the metadata and be fresh; every call except
/// RegisterNode/ActivateNode must name the node bound to that key.
struct NodeAuthentication: Sendable {
    static let publicKeyHeader = "flwr-public-key-bin"
    static let timestampHeader = "flwr-timestamp"
    static let signatureHeader = "flwr-signature-bin"

    let context: ServiceContext

    /// The caller's verified public key (PEM bytes as sent).
    func verifiedPublicKey(_ call: ServerCallContext) throws(SuperLinkError) -> [UInt8] {
        guard let key = call.metadata.first(Self.publicKeyHeader),
              let timestamp = call.metadata.firstString(Self.timestampHeader),
              let signature = call.metadata.first(Self.signatureHeader)
        else { throw .missingAuthMetadata }
        switch context.verifier.verify(
            publicKeyPEM: key, timestamp: timestamp, signature: signature, now: context.clock())
        {
        case .success: return key
        case .failure(.missingMetadata): throw .missingAuthMetadata
        case .failure(.invalidSignature): throw .invalidSignature
        case .failure(.invalidTimestamp): throw .invalidTimestamp
        }
    }

    /// That `claimedNodeID` is the node bound to the (already verified) key; returns the node ID.
    func requireBinding(of key: [UInt8], to claimedNodeID: UInt64) async throws(SuperLinkError) -> UInt64 {
        let state = context.state
        let bound = try await withState { () async throws(LinkStateError) in
            try await state.nodeID(forPublicKey: key)
        }
        guard let bound, bound == claimedNodeID else { throw .invalidNodeID }
        return bound
    }
}
