import FlowerProto
import FlowerTime
import Foundation
import NodeCrypto
import ProtoWire
import RPC

/// One load run: register + activate the nodes, then drive signed calls until the deadline.
struct LoadRun: Sendable {
    let options: LoadOptions

    struct Node: Sendable {
        let key: ECPrivateKey
        let id: UInt64
        /// Encoded once: a SuperNode sends the same PEM on every call.
        let publicKeyPEM: [UInt8]
        /// Index of the connection this node always uses.
        let channel: Int
    }

    /// A simulated SuperNode's signed unary call, exactly as Flower's client signs it: a fresh
    /// timestamp per call, ECDSA-SHA256 over its ASCII bytes, the PEM public key as binary metadata.
    static func signedCall<Req, Resp>(
        _ channel: RPCChannel, _ method: ProtoMethod<Req, Resp>, _ request: Req, key: ECPrivateKey, pem: [UInt8]
    ) async throws -> Resp {
        let timestamp = FlowerTimestamp.iso(FlowerTimestamp.now())
        var md = Metadata()
        md.add("flwr-public-key-bin", pem)
        md.add("flwr-timestamp", timestamp)
        md.add("flwr-signature-bin", key.sign(Array(timestamp.utf8)))
        let bytes = try await channel.unary(method.path, request: request.serializedBytes(), metadata: md, timeout: .seconds(30))
        return try Resp(serializedBytes: bytes)
    }

    func execute() async -> LoadReport {
        // Each its own TCP connection: the C core would otherwise multiplex every channel to one
        // target over a single connection, which real SuperNodes (separate processes) never share.
        let channelCount = max(1, min(options.connections, options.nodes))
        let channels = (0..<channelCount).map { _ in RPCChannel(target: options.superlink, privateConnection: true) }
        defer { channels.forEach { $0.close() } }

        // Phase 1: register and activate every node (concurrently, bounded).
        let registerStart = ContinuousClock.now
        let nodes = await withTaskGroup(of: Node?.self) { group -> [Node] in
            var out: [Node] = []
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask {
                    let key = ECPrivateKey.generateP384()
                    let pem = key.publicKeyPEM
                    let ch = channels[i % channels.count]
                    do {
                        var reg = FlwrRegisterNodeFleetRequest()
                        reg.publicKey = pem
                        let id = try await Self.signedCall(ch, FlwrFleet.registerNode, reg, key: key, pem: pem).nodeID
                        var act = FlwrActivateNodeRequest()
                        act.publicKey = pem
                        act.heartbeatInterval = 30
                        _ = try await Self.signedCall(ch, FlwrFleet.activateNode, act, key: key, pem: pem)
                        return Node(key: key, id: id, publicKeyPEM: pem, channel: i % channels.count)
                    } catch {
                        FileHandle.standardError.write(Data("register failed: \(error)\n".utf8))
                        return nil
                    }
                }
            }
            for _ in 0..<min(options.nodes, 64) { add() }
            while let r = await group.next() {
                if let r { out.append(r) }
                if next < options.nodes { add() }
            }
            return out
        }
        let registerSeconds = (ContinuousClock.now - registerStart).seconds
        let registerErrors = options.nodes - nodes.count

        let idleRSS = options.serverPID.flatMap(ProcessStats.rssMiB)
        let cpuBefore = options.serverPID.flatMap(ProcessStats.cpuSeconds)
        let ownCPUBefore = ProcessStats.cpuSeconds(getpid())
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(options.duration * 1000))

        // Phase 2: C concurrent callers, round-robin over the nodes.
        let results = await withTaskGroup(of: WorkerResult.self) { group -> [WorkerResult] in
            for w in 0..<options.concurrency {
                group.addTask {
                    var r = WorkerResult()
                    guard !nodes.isEmpty else { return r }
                    var i = w
                    while ContinuousClock.now < deadline {
                        let node = nodes[i % nodes.count]
                        let ch = channels[node.channel]
                        i += options.concurrency
                        let t0 = ContinuousClock.now
                        do {
                            let pull = options.mode == "pull" || (options.mode == "mixed" && r.calls % 2 == 1)
                            if pull {
                                var req = FlwrPullMessagesRequest()
                                var n = FlwrNode()
                                n.nodeID = node.id
                                req.node = n
                                _ = try await Self.signedCall(
                                    ch, FlwrFleet.pullMessages, req, key: node.key, pem: node.publicKeyPEM)
                            } else {
                                var req = FlwrSendNodeHeartbeatRequest()
                                var n = FlwrNode()
                                n.nodeID = node.id
                                req.node = n
                                req.heartbeatInterval = 30
                                let resp = try await Self.signedCall(
                                    ch, FlwrFleet.sendNodeHeartbeat, req, key: node.key, pem: node.publicKeyPEM)
                                if !resp.success { throw RPCStatus(.unknown, "heartbeat success=false") }
                            }
                            r.latencies.append((ContinuousClock.now - t0).seconds)
                        } catch {
                            r.errors += 1
                            if r.firstError == nil { r.firstError = "\(error)" }
                        }
                        r.calls += 1
                    }
                    return r
                }
            }
            var all: [WorkerResult] = []
            for await r in group { all.append(r) }
            return all
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cpuAfter = options.serverPID.flatMap(ProcessStats.cpuSeconds)
        let ownCPUAfter = ProcessStats.cpuSeconds(getpid())
        let peak = options.serverPID.flatMap(ProcessStats.peakRSSMiB)

        var latencies = results.flatMap(\.latencies)
        latencies.sort()
        let calls = results.reduce(0) { $0 + $1.calls }
        let errors = results.reduce(0) { $0 + $1.errors }
        var cpuPerCall: Double?
        if let a = cpuBefore, let b = cpuAfter, calls > 0 { cpuPerCall = (b - a) / Double(calls) }
        var clientCPUPerCall: Double?
        if let a = ownCPUBefore, let b = ownCPUAfter, calls > 0 { clientCPUPerCall = (b - a) / Double(calls) }
        return LoadReport(
            label: options.label, mode: options.mode, nodes: options.nodes, concurrency: options.concurrency,
            registerSeconds: registerSeconds, registerErrors: registerErrors,
            seconds: elapsed, calls: calls, errors: errors + registerErrors,
            firstError: results.compactMap(\.firstError).first,
            p50: percentile(latencies, 0.50), p99: percentile(latencies, 0.99),
            serverCPUPerCall: cpuPerCall, clientCPUPerCall: clientCPUPerCall, idleRSSMiB: idleRSS, peakRSSMiB: peak)
    }
}

struct WorkerResult: Sendable {
    var calls = 0
    var errors = 0
    var latencies: [Double] = []
    var firstError: String?
}

func percentile(_ sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let idx = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
    return sorted[idx]
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
