import FlowerProto
import Foundation
import LinkState
import ProtoWire
import RPC
import SuperLink
import TestSupport
import XCTest

/// A `TestLink` plus a second SuperLink over the same state and FAB directory whose Fleet API is
/// the GrpcAdapter or REST: the ServerApp/CLI side is driven through the TestLink, the SuperNode
/// side through the tunnel, unsigned, as Flower's `--grpc-adapter` / `--rest` SuperNodes call.
final class TunnelLink: Sendable {
    let link: TestLink
    let server: SuperLinkServer
    let type: SuperLinkServer.FleetAPIType
    let fleetPort: Int
    private let adapterChannel: RPCChannel?

    private init(link: TestLink, server: SuperLinkServer, type: SuperLinkServer.FleetAPIType) {
        self.link = link
        self.server = server
        self.type = type
        let address = server.boundFleetAddress!
        fleetPort = Int(address[address.index(after: address.lastIndex(of: ":")!)...])!
        adapterChannel = type == .grpcAdapter ? RPCChannel(target: address) : nil
    }

    static func start(_ type: SuperLinkServer.FleetAPIType, backend: StateBackend = .inMemory) async throws -> TunnelLink {
        let link = try await TestLink.start(backend)
        var config = SuperLinkServer.Configuration(storageDirectory: link.server.context.fabs.directory)
        config.controlAddress = "127.0.0.1:0"
        config.serverAppIoAddress = "127.0.0.1:0"
        config.fleetAddress = "127.0.0.1:0"
        config.fleetAPIType = type
        config.clock = link.clock.closure
        let frozen = config
        let state = link.state
        do {
            let server = try await offPool { try SuperLinkServer.start(frozen, state: state) }
            return TunnelLink(link: link, server: server, type: type)
        } catch {
            await link.stop()
            throw error
        }
    }

    func stop() async {
        adapterChannel?.close()
        await server.shutdown(grace: .milliseconds(200))
        await link.stop()
    }

    // MARK: Fleet through the tunnel

    /// One Fleet RPC through the tunnel. GrpcAdapter failures are thrown as `RPCStatus`; a
    /// REST answer other than 200 as `RESTFailure`.
    func fleet<Req: ProtoMessage, Resp: ProtoMessage>(_ request: Req, as: Resp.Type = Resp.self) async throws -> Resp {
        let requestName = Self.shortName(Req.self)
        switch type {
        case .grpcAdapter:
            let reply = try await adapter(requestName, request.serializedBytes())
            XCTAssertEqual(reply.grpcMessageName, Self.shortName(Resp.self))
            return try Resp(serializedBytes: reply.grpcMessageContent)
        case .rest:
            let response = try await HTTPTestClient.fleet(port: fleetPort, Self.restName(requestName), request.serializedBytes())
            guard response.status == 200 else { throw RESTFailure(status: response.status, body: response.text) }
            XCTAssertEqual(response.headers["content-type"], "application/protobuf")
            return try Resp(serializedBytes: response.body)
        case .grpcRere:
            fatalError("a TunnelLink tunnels")
        }
    }

    /// A raw `GrpcAdapter/SendReceive`.
    func adapter(_ name: String, _ content: [UInt8], metadata: [String: String] = [:]) async throws -> FlwrMessageContainer {
        var container = FlwrMessageContainer()
        container.grpcMessageName = name
        container.grpcMessageContent = content
        container.metadata = metadata
        let bytes = try await adapterChannel!.unary(
            FlwrGrpcAdapter.sendReceive.path, request: container.serializedBytes(), metadata: .init(), timeout: .seconds(20))
        return try FlwrMessageContainer(serializedBytes: bytes)
    }

    struct RESTFailure: Error, Equatable {
        let status: Int
        let body: String
    }

    /// `FlwrPullMessagesRequest` → `PullMessagesRequest`.
    static func shortName<T>(_ type: T.Type) -> String { String(String(describing: type).dropFirst("Flwr".count)) }

    /// `PullMessagesRequest` → `pull-messages` (`RegisterNodeFleetRequest` → `register-node`).
    static func restName(_ requestName: String) -> String {
        var base = requestName.replacingOccurrences(of: "Request", with: "").replacingOccurrences(of: "Fleet", with: "")
        var out = ""
        while let first = base.first {
            if first.isUppercase && !out.isEmpty { out += "-" }
            out += first.lowercased()
            base.removeFirst()
        }
        return out
    }

    // MARK: SuperNode steps

    /// RegisterNode + ActivateNode with a fresh key, unsigned: the node as the request names it.
    func newNode(heartbeatInterval: Double = 30) async throws -> TestNode {
        var node = TestNode()
        var reg = FlwrRegisterNodeFleetRequest()
        reg.publicKey = node.publicKeyPEM
        node.id = try await fleet(reg, as: FlwrRegisterNodeFleetResponse.self).nodeID
        var act = FlwrActivateNodeRequest()
        act.publicKey = node.publicKeyPEM
        act.heartbeatInterval = heartbeatInterval
        let activated = try await fleet(act, as: FlwrActivateNodeResponse.self).nodeID
        XCTAssertEqual(activated, node.id)
        return node
    }
}

/// Runs `body` against a fresh tunnel of `type` and always stops it afterwards.
func withTunnel(
    _ type: SuperLinkServer.FleetAPIType, backend: StateBackend = .inMemory, _ body: (TunnelLink) async throws -> Void
) async throws {
    let tunnel = try await TunnelLink.start(type, backend: backend)
    do {
        try await body(tunnel)
    } catch {
        await tunnel.stop()
        throw error
    }
    await tunnel.stop()
}
