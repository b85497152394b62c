/// Why a Fleet call's node-auth metadata was rejected.
///
/// The SuperLink maps each case to `UNAUTHENTICATED` with the detail strings
/// "Missing authentication metadata", "Invalid signature" and "Invalid timestamp".
public enum NodeAuthFailure: Error, Sendable, Equatable {
    /// One of `flwr-public-key-bin`, `flwr-timestamp`, `flwr-signature-bin` is absent.
    case missingMetadata
    /// The key does not parse as an EC public key, or the signature does not verify.
    case invalidSignature
    /// The timestamp does not parse, or lies outside the replay window.
    case invalidTimestamp
}
