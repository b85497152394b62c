import ProtoWire
import XCTest

/// Deterministic fuzzing: random and mutated inputs must either decode or throw — never trap,
/// hang or over-allocate — and whatever decodes must re-encode stably.
final class FuzzTests: XCTestCase {
    /// SplitMix64: tiny, fast, and the same sequence on every platform.
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func seeds() -> [[UInt8]] {
        var scalars = Scalars()
        scalars.u64 = 300
        scalars.i32 = -5
        scalars.s64 = -70000
        scalars.d = 0.5
        scalars.f = 3
        scalars.text = "héllo"
        scalars.blob = [0, 1, 2, 255]
        scalars.fx64 = 9
        scalars.many = [1, 128, UInt64.max]
        scalars.doubles = [1, 2]
        scalars.sints = [-1, 1]
        scalars.floats = [0.25]
        var tree = Tree.chain(depth: 6)
        tree.extra = scalars
        tree.children.append(Tree.chain(depth: 2))
        var paint = Paint()
        paint.color = .blue
        paint.palette = [.red, Color(rawValue: -3)]
        return [scalars.serializedBytes(), tree.serializedBytes(), paint.serializedBytes()]
    }

    /// Decodes as all three types; anything that decodes must survive a round trip.
    private func exercise(_ bytes: [UInt8]) -> Int {
        var decoded = 0
        decoded += check(Scalars.self, bytes)
        decoded += check(Tree.self, bytes)
        decoded += check(Paint.self, bytes)
        return decoded
    }

    private func check<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> Int {
        guard let message = try? M(serializedBytes: bytes) else { return 0 }
        let encoded = message.serializedBytes()
        XCTAssertEqual(encoded.count, message.serializedSize, "\(M.self) size for input \(hex(bytes))")
        guard let again = try? M(serializedBytes: encoded) else {
            XCTFail("\(M.self) re-encoding of \(hex(bytes)) does not decode")
            return 1
        }
        // NaN payloads compare unequal; compare encodings, which are canonical.
        XCTAssertEqual(again.serializedBytes(), encoded, "\(M.self) unstable round trip for \(hex(bytes))")
        return 1
    }

    func testRandomBytes() {
        var random = SplitMix64(state: 0x5EED_0001)
        var decoded = 0
        for _ in 0 ..< 4000 {
            let count = Int(random.next() % 64)
            let bytes = (0 ..< count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            decoded += exercise(bytes)
        }
        // Sanity: the generator is not so hostile that nothing ever decodes.
        XCTAssertGreaterThan(decoded, 0)
    }

    func testMutatedValidMessages() {
        var random = SplitMix64(state: 0x5EED_0002)
        let seeds = seeds()
        var decoded = 0
        for iteration in 0 ..< 6000 {
            var bytes = seeds[iteration % seeds.count]
            let mutations = 1 + Int(random.next() % 4)
            for _ in 0 ..< mutations {
                guard !bytes.isEmpty else { break }
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 6 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())          // replace
                case 1: bytes[position] ^= 1 << UInt8(random.next() % 8)                     // flip a bit
                case 2: bytes.removeSubrange(position...)                                     // truncate
                case 3: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)  // insert
                case 4: bytes[position] = [0x00, 0x7F, 0x80, 0xFF][Int(random.next() % 4)]   // boundary byte
                default: bytes.remove(at: position)                                           // delete
                }
            }
            decoded += exercise(bytes)
        }
        XCTAssertGreaterThan(decoded, 0)
    }

    func testTruncationsOfValidMessagesAllFailCleanly() {
        for seed in seeds() {
            for length in 0 ..< seed.count {
                _ = exercise(Array(seed.prefix(length)))
            }
        }
    }
}
