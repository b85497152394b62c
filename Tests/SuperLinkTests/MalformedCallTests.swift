import FlowerProto
import RPC
import XCTest

/// Bodies that do not decode and paths that do not exist, on every API.
final class MalformedCallTests: XCTestCase {
    /// A varint cut off mid-way: no protobuf message decodes from it.
    static let undecodable: [UInt8] = [0x0A, 0xFF, 0xFF, 0xFF]

    func testUndecodableBodiesAreInvalidArgumentAndChangeNothing() async throws {
        try await forEachBackend { link in
            let node = TestNode()
            await assertStatus(.invalidArgument, .prefix("Malformed request")) {
                try await link.fleetChannel.unary(
                    FlwrFleet.registerNode.path, request: Self.undecodable, metadata: node.metadata(now: link.clock.now),
                    timeout: .seconds(10))
            }
            let runID = try await link.startRun()
            let runsBefore = try await link.state.runs(flwrAid: nil)
            await assertStatus(.invalidArgument, .prefix("Malformed request")) {
                try await link.controlChannel.unary(FlwrControl.startRun.path, request: Self.undecodable, timeout: .seconds(10))
            }
            await assertStatus(.invalidArgument, .prefix("Malformed request")) {
                try await link.appIoChannel.unary(
                    FlwrServerAppIo.requestToken.path, request: Self.undecodable, timeout: .seconds(10))
            }
            let nodes = try await link.state.nodes(ownerAid: "<id:none>")
            XCTAssertTrue(nodes.isEmpty, link.backend.rawValue)
            let runsAfter = try await link.state.runs(flwrAid: nil)
            XCTAssertEqual(runsBefore, runsAfter, link.backend.rawValue)
            XCTAssertEqual(runsAfter.first?.phase, .pending, "\(link.backend): RequestToken ran on a bad body")
            XCTAssertEqual(runsAfter.map(\.runID), [runID])
        }
    }

    func testUnknownMethodsAreUnimplemented() async throws {
        try await withLink(health: true) { link in
            let channels: [(RPCChannel, String)] = [
                (link.fleetChannel, "/flwr.proto.Fleet/NoSuchMethod"),
                (link.appIoChannel, "/flwr.proto.ServerAppIo/NoSuchMethod"),
                (link.controlChannel, "/flwr.proto.Control/NoSuchMethod"),
                (link.appIoChannel, "/flwr.proto.Fleet/PullMessages"),  // a method of another API
                (try XCTUnwrap(link.healthChannel), "/grpc.health.v1.Health/NoSuch"),
            ]
            for (channel, path) in channels {
                await assertStatus(.unimplemented, .any) {
                    try await channel.unary(path, request: [], timeout: .seconds(10))
                }
            }
        }
    }
}
