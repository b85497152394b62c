/// What one load run measured.
struct LoadReport: Sendable {
    var label: String
    var mode: String
    var nodes: Int
    var concurrency: Int
    var registerSeconds: Double
    var registerErrors: Int
    var seconds: Double
    var calls: Int
    var errors: Int
    var firstError: String?
    var p50: Double?
    var p99: Double?
    var serverCPUPerCall: Double?
    /// This process's own CPU per call (signing dominates): shows how much of the shared machine
    /// the client took.
    var clientCPUPerCall: Double?
    /// The server's RSS once the nodes are registered, just before the timed phase.
    var idleRSSMiB: Double?
    var peakRSSMiB: Double?

    var rate: Double { seconds > 0 ? Double(calls - errors) / seconds : 0 }

    func render(json: Bool) -> String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.3f", $0 * 1000) } ?? "n/a" }
        func mib(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "n/a" }
        if json {
            return """
            {"label": "\(label)", "mode": "\(mode)", "nodes": \(nodes), "concurrency": \(concurrency), \
            "calls": \(calls), "errors": \(errors), "req_per_s": \(String(format: "%.1f", rate)), \
            "p50_ms": "\(ms(p50))", "p99_ms": "\(ms(p99))", "server_cpu_ms_per_call": "\(ms(serverCPUPerCall))", \
            "client_cpu_ms_per_call": "\(ms(clientCPUPerCall))", \
            "idle_rss_mib": "\(mib(idleRSSMiB))", "peak_rss_mib": "\(mib(peakRSSMiB))", \
            "register_seconds": \(String(format: "%.2f", registerSeconds))}
            """
        }
        var s = """
        \(label.isEmpty ? "" : "[\(label)] ")mode=\(mode) nodes=\(nodes) concurrency=\(concurrency)
          registered+activated \(nodes - registerErrors)/\(nodes) nodes in \(String(format: "%.2f", registerSeconds)) s
          calls=\(calls) errors=\(errors) req/s=\(String(format: "%.1f", rate)) p50=\(ms(p50)) ms p99=\(ms(p99)) ms
          server CPU/call=\(ms(serverCPUPerCall)) ms (client CPU/call=\(ms(clientCPUPerCall)) ms)
          server RSS before load=\(mib(idleRSSMiB)) MiB peak (VmHWM)=\(mib(peakRSSMiB)) MiB
        """
        if let e = firstError { s += "\n  first error: \(e)" }
        return s
    }
}
