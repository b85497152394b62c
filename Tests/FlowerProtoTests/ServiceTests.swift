import FlowerProto
import XCTest

final class ServiceTests: XCTestCase {
    func testMethodPathsAndTypes() {
        XCTAssertEqual(FlwrFleet.registerNode.path, "/flwr.proto.Fleet/RegisterNode")
        XCTAssertFalse(FlwrFleet.registerNode.isServerStreaming)
        XCTAssertEqual(FlwrFleet.sendNodeHeartbeat.path, "/flwr.proto.Fleet/SendNodeHeartbeat")
        XCTAssertEqual(FlwrFleet.allPaths.count, 12)
        XCTAssertEqual(FlwrServerAppIo.pullMessages.path, "/flwr.proto.ServerAppIo/PullMessages")
        XCTAssertEqual(FlwrServerAppIo.allPaths.count, 15)
        XCTAssertEqual(FlwrControl.streamLogs.path, "/flwr.proto.Control/StreamLogs")
        XCTAssertTrue(FlwrControl.streamLogs.isServerStreaming)
        XCTAssertTrue(FlwrControl.streamRunEvents.isServerStreaming)
        XCTAssertEqual(FlwrControl.allPaths.count, 24)
        XCTAssertEqual(FlwrClientAppIo.pushMessage.path, "/flwr.proto.ClientAppIo/PushMessage")
        XCTAssertEqual(FlwrSimulationIo.getRun.path, "/flwr.proto.SimulationIo/GetRun")
        XCTAssertEqual(FlwrGrpcAdapter.sendReceive.path, "/flwr.proto.GrpcAdapter/SendReceive")
        XCTAssertTrue(FlwrFlowerService.join.isClientStreaming && FlwrFlowerService.join.isServerStreaming)
        XCTAssertEqual(GrpcHealthV1Health.check.path, "/grpc.health.v1.Health/Check")
        XCTAssertTrue(GrpcHealthV1Health.watch.isServerStreaming)
        XCTAssertEqual(GrpcHealthV1Health.serviceName, "grpc.health.v1.Health")

        // The type parameters are the generated messages.
        let method: ProtoMethod<FlwrPushMessagesRequest, FlwrPushMessagesResponse> = FlwrFleet.pushMessages
        XCTAssertEqual(method.path, "/flwr.proto.Fleet/PushMessages")
        let appMethod: ProtoMethod<FlwrPushAppMessagesRequest, FlwrPushAppMessagesResponse> = FlwrServerAppIo.pushMessages
        XCTAssertEqual(appMethod.path, "/flwr.proto.ServerAppIo/PushMessages")
    }
}
