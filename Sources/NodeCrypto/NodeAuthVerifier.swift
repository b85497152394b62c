import FlowerTime

/// Checks the node-auth metadata every Fleet call carries (protocol §4.1/§7.1).
///
/// Cost per call: one dictionary lookup of the PEM plus one `EVP_DigestVerify`; the key
/// is parsed once and cached. Signatures are never cached (that would allow replays
/// inside the window to skip the check, and they differ on every call anyway).
public final class NodeAuthVerifier: Sendable {
    /// Accepted iff `minimumAge < now - ts < maximumAge` (seconds, both exclusive):
    /// 300 s tolerance plus 5 s clock drift in the past, 5 s drift in the future.
    public static let minimumAge: Double = -5
    public static let maximumAge: Double = 305

    private let cache: PublicKeyCache

    /// - Parameter keyCacheCapacity: how many distinct parsed keys to keep.
    public init(keyCacheCapacity: Int = 100_000) {
        cache = PublicKeyCache(capacity: keyCacheCapacity)
    }

    /// Verifies the signature over the timestamp and the replay window: accepted iff -5 < now - ts < 305 seconds.
    /// Parsed public keys are cached by their exact PEM bytes (bounded); signatures are NEVER cached.
    ///
    /// Order as in Flower: the signature is checked before the timestamp, so a bad
    /// signature reports `invalidSignature` whatever the timestamp.
    /// - Parameter now: the server clock, unix seconds.
    public func verify(publicKeyPEM: [UInt8], timestamp: String, signature: [UInt8], now: Double) -> Result<Void, NodeAuthFailure> {
        guard let key = cache.key(for: publicKeyPEM) else { return .failure(.invalidSignature) }
        guard key.verify(signature: signature, message: Array(timestamp.utf8)) else {
            return .failure(.invalidSignature)
        }
        guard let sent = FlowerTimestamp.parse(timestamp) else { return .failure(.invalidTimestamp) }
        let age = now - sent
        guard Self.minimumAge < age, age < Self.maximumAge else { return .failure(.invalidTimestamp) }
        return .success(())
    }

    /// Number of parsed keys currently cached (for tests and metrics).
    public var cachedKeyCount: Int { cache.count }
}
