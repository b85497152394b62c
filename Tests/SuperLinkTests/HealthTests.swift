import FlowerProto
import XCTest

/// `grpc.health.v1.Health` as Flower serves it (protocol §7.3).
final class HealthTests: XCTestCase {
    func testCheckIsServingForAnyService() async throws {
        try await withLink(health: true) { link in
            let channel = try XCTUnwrap(link.healthChannel)
            for service in ["", "flwr.proto.Fleet", "anything"] {
                var req = GrpcHealthV1HealthCheckRequest()
                req.service = service
                let resp = try await link.call(channel, GrpcHealthV1Health.check, req)
                XCTAssertEqual(resp.status, .serving, service)
            }
            await assertStatus(.invalidArgument, .prefix("Malformed request")) {
                try await channel.unary(
                    GrpcHealthV1Health.check.path, request: MalformedCallTests.undecodable, timeout: .seconds(10))
            }
        }
    }

    func testNoHealthServerUnlessAsked() async throws {
        try await withLink { link in
            XCTAssertNil(link.server.boundHealthAddress)
        }
    }
}
