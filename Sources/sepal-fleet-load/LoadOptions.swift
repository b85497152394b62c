import Foundation

/// Command line of `sepal-fleet-load`.
struct LoadOptions: Sendable {
    var superlink = "127.0.0.1:9092"
    var nodes = 1000
    var concurrency = 32
    /// TCP connections the nodes are spread over (each its own, like separate SuperNode
    /// processes); node i uses connection i mod this. Capped at `nodes`.
    var connections = 1000
    var duration = 20.0
    /// `heartbeat`, `pull` or `mixed` (alternating).
    var mode = "heartbeat"
    var serverPID: Int32?
    var label = ""
    var json = false
    /// `--verify-floor SECONDS`: only measure the verification floor (see `VerifyFloor`).
    var verifyFloorSeconds: Double?

    static func parse(_ args: [String]) -> LoadOptions {
        var o = LoadOptions()
        var i = 0
        func value() -> String {
            guard i + 1 < args.count else { fail("missing value for \(args[i])") }
            i += 1
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--superlink": o.superlink = value()
            case "--nodes": o.nodes = number(value(), "--nodes")
            case "--concurrency": o.concurrency = number(value(), "--concurrency")
            case "--connections": o.connections = number(value(), "--connections")
            case "--duration": o.duration = Double(number(value(), "--duration") as Double)
            case "--mode":
                o.mode = value()
                guard ["heartbeat", "pull", "mixed"].contains(o.mode) else { fail("--mode heartbeat|pull|mixed") }
            case "--server-pid": o.serverPID = number(value(), "--server-pid")
            case "--label": o.label = value()
            case "--json": o.json = true
            case "--verify-floor": o.verifyFloorSeconds = number(value(), "--verify-floor")
            case "-h", "--help":
                print("""
                usage: sepal-fleet-load [--superlink HOST:PORT] [--nodes N] [--concurrency C] [--connections K]
                                        [--duration SECONDS] [--mode heartbeat|pull|mixed]
                                        [--server-pid PID] [--label TEXT] [--json]
                       sepal-fleet-load --verify-floor SECONDS
                Registers and activates N nodes (fresh P-384 keys), then drives signed Fleet calls
                from C concurrent callers, each call signed afresh over a fresh timestamp.
                --verify-floor measures NodeAuthVerifier.verify's CPU cost per call and exits.
                """)
                exit(0)
            default: fail("unknown argument \(args[i])")
            }
            i += 1
        }
        guard o.nodes > 0, o.concurrency > 0, o.connections > 0, o.duration > 0 else { fail("counts and duration must be positive") }
        return o
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sepal-fleet-load: \(message)\n".utf8))
    exit(2)
}

/// Parses a number argument or exits with a usage error.
func number<T: LosslessStringConvertible>(_ text: String, _ flag: String) -> T {
    guard let v = T(text) else { fail("\(flag) takes a number, not '\(text)'") }
    return v
}
