import RPC

/// Who is calling a Fleet handler: the one step that differs between Fleet transports. The
/// handlers themselves (state calls, checks, replies) are shared.
enum FleetCaller: Sendable {
    /// grpc-rere: the call's signed metadata (protocol §4.1) proved the caller's key — checked
    /// before the request body is even decoded, as Flower's interceptor does — and every call but
    /// RegisterNode/ActivateNode must name the node bound to that key.
    case signed(verifiedKey: [UInt8])
    /// grpc-adapter and REST: no node signature auth, as in Flower (its interceptor is only on
    /// grpc-rere). The caller is who the request says: RegisterNode/ActivateNode enrol the
    /// request's `public_key`, every other call acts for the node ID it names.
    case unauthenticated
}

extension NodeAuthentication {
    /// The verified signing key of a signed caller; nil for an unauthenticated one.
    func signingKey(of caller: FleetCaller) throws(SuperLinkError) -> [UInt8]? {
        switch caller {
        case .signed(let key): return key
        case .unauthenticated: return nil
        }
    }

    /// The key a RegisterNode/ActivateNode enrols: the request's, which must be the signer's
    /// when there is one.
    func enrolledKey(_ requested: [UInt8], signer: [UInt8]?) throws(SuperLinkError) -> [UInt8] {
        if let signer, signer != requested { throw .invalidNodeID }
        return requested
    }

    /// The node a call acts for: the one bound to the verified key (which must be
    /// `claimedNodeID`) for a signed caller, `claimedNodeID` itself for an unauthenticated one.
    func node(of caller: FleetCaller, claimedNodeID: UInt64) async throws(SuperLinkError) -> UInt64 {
        switch caller {
        case .signed(let key): return try await requireBinding(of: key, to: claimedNodeID)
        case .unauthenticated: return claimedNodeID
        }
    }
}
