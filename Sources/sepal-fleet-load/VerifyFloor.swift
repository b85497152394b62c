import FlowerTime
import Foundation
import NodeCrypto

/// `sepal-fleet-load --verify-floor SECONDS`: the per-call verification cost measured through
/// the server's own code path, so the "server CPU per heartbeat" can be compared like for like.
///
/// It times `NodeAuthVerifier.verify` (cached key, as a SuperNode's repeated key is on the
/// server) over signatures that are all distinct — each signed over its own fresh timestamp — so
/// nothing a real server could not do is measured. The signatures are made before timing starts
/// (signing is the client's cost, reported separately). Times are thread CPU time, not wall
/// time, so other load on the machine inflates them less.
enum VerifyFloor {
    struct Result {
        var verifyMs: Double
        var signMs: Double
        var verifications: Int
    }

    static func measure(seconds: Double) -> Result {
        let key = ECPrivateKey.generateP384()
        let pem = key.publicKeyPEM
        let verifier = NodeAuthVerifier()
        // Enough distinct signed timestamps for the run, signed up front (timed: the sign cost).
        let batch = 256
        var signed: [(String, [UInt8])] = []
        signed.reserveCapacity(batch)
        let signStart = threadCPUSeconds()
        for i in 0..<batch {
            let ts = FlowerTimestamp.iso(FlowerTimestamp.now() + Double(i) * 1e-6)
            signed.append((ts, key.sign(Array(ts.utf8))))
        }
        let signMs = (threadCPUSeconds() - signStart) / Double(batch) * 1000

        var count = 0
        let start = threadCPUSeconds()
        var elapsed = 0.0
        while elapsed < seconds {
            // Each pass re-uses the batch; `now` advances so every timestamp stays in the window.
            for (ts, signature) in signed {
                guard case .success = verifier.verify(
                    publicKeyPEM: pem, timestamp: ts, signature: signature, now: FlowerTimestamp.now())
                else { fail("verify-floor: a valid signature was rejected") }
                count += 1
            }
            elapsed = threadCPUSeconds() - start
        }
        return Result(verifyMs: elapsed / Double(count) * 1000, signMs: signMs, verifications: count)
    }

    static func render(_ r: Result) -> String {
        String(format: "NodeAuthVerifier.verify: %.3f ms CPU per call (%d verifications); ECPrivateKey.sign: %.3f ms",
               r.verifyMs, r.verifications, r.signMs)
    }

    /// CPU time of the calling thread.
    private static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
