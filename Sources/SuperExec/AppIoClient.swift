import FlowerProto
import ProtoWire
import RPC

/// A typed client for an AppIo API (ServerAppIo here), retrying `UNAVAILABLE` with capped
/// exponential backoff like Flower's default retry invoker (§7.4).
public struct AppIoClient: Sendable {
    let channel: RPCChannel
    /// Per-call deadline.
    let timeout: Duration

    public init(address: String, timeout: Duration = .seconds(10)) {
        self.channel = RPCChannel(target: address)
        self.timeout = timeout
    }

    public func call<Req, Resp>(_ method: ProtoMethod<Req, Resp>, _ request: Req) async throws -> Resp {
        var delay = 1.0
        while true {
            do {
                let bytes = try await channel.unary(method.path, request: request.serializedBytes(), timeout: timeout)
                return try Resp(serializedBytes: bytes)
            } catch let status as RPCStatus where status.code == .unavailable {
                try await Task.sleep(for: .milliseconds(Int(Double.random(in: 0...delay) * 1000)))
                delay = min(delay * 2, 20)
            }
        }
    }

    public func close() {
        channel.close()
    }
}
