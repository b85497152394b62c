import CGRPC

/// Process-wide initialisation of the C core.
///
/// `grpc_init` is reference-counted by the core; we take one reference for the life of the
/// process and never drop it, so servers and channels can be created and destroyed freely.
enum GRPCLibrary {
    private static let initialized: Bool = {
        AbseilDeadlockDetection.disable()
        grpc_init()
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}
