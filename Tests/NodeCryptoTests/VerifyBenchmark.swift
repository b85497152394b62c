import FlowerTime
import NodeCrypto
import XCTest

/// Hand-run microbenchmark (skipped unless SEPAL_BENCH=1):
/// `SEPAL_BENCH=1 swift test -c release --filter VerifyBenchmark`
final class VerifyBenchmark: XCTestCase {
    func testVerifyCost() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SEPAL_BENCH"] == "1", "set SEPAL_BENCH=1 to run")
        let key = ECPrivateKey.generateP384()
        let pem = key.publicKeyPEM
        let ts = FlowerTimestamp.iso(1_800_000_000)
        let signature = key.sign(bytes(ts))
        let verifier = NodeAuthVerifier()
        let rounds = 2000
        _ = verifier.verify(publicKeyPEM: pem, timestamp: ts, signature: signature, now: 1_800_000_000)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<rounds {
            guard case .success = verifier.verify(publicKeyPEM: pem, timestamp: ts, signature: signature, now: 1_800_000_000) else {
                return XCTFail("verify failed")
            }
        }
        let perVerify = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(rounds) / 1000
        let signStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<rounds { _ = key.sign(bytes(ts)) }
        let perSign = Double(DispatchTime.now().uptimeNanoseconds - signStart) / Double(rounds) / 1000
        print("BENCH NodeAuthVerifier.verify (cached key): \(perVerify) µs/op; ECPrivateKey.sign: \(perSign) µs/op")
    }
}
