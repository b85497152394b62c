import ProtoCodegen
import XCTest

/// The naming rules other layers code against.
final class NamingTests: XCTestCase {
    func testTypePrefix() {
        XCTAssertEqual(SwiftNaming.typePrefix(forPackage: "flwr.proto"), "Flwr")
        XCTAssertEqual(SwiftNaming.typePrefix(forPackage: "grpc.health.v1"), "GrpcHealthV1")
        XCTAssertEqual(SwiftNaming.typePrefix(forPackage: "my_pkg.proto"), "MyPkg")
        XCTAssertEqual(SwiftNaming.typePrefix(forPackage: ""), "")
    }

    func testFieldNames() {
        let cases = [
            "run_id": "runID", "message_object_id": "messageObjectID", "object_ids": "objectIDs",
            "run_ids": "runIDs", "flwr_aid": "flwrAid", "hash_str": "hashStr", "messages_list": "messagesList",
            "node_id": "nodeID", "id": "id", "ids": "ids", "id_token": "idToken", "double_list": "doubleList",
            "init_args_num_cpus": "initArgsNumCpus", "sint64": "sint64", "reply_to_message_id": "replyToMessageID",
            "object_ids_list": "objectIDsList",
        ]
        for (snake, camel) in cases {
            XCTAssertEqual(SwiftNaming.lowerCamel(snake), camel, snake)
        }
    }

    func testEnumAndMethodNames() {
        XCTAssertEqual(SwiftNaming.enumCaseName("GET_PROPERTIES_NOT_IMPLEMENTED"), "getPropertiesNotImplemented")
        XCTAssertEqual(SwiftNaming.enumCaseName("OK"), "ok")
        XCTAssertEqual(SwiftNaming.enumCaseName("SERVING"), "serving")
        XCTAssertEqual(SwiftNaming.enumCaseName("SERVICE_UNKNOWN"), "serviceUnknown")
        XCTAssertEqual(SwiftNaming.methodName("SendNodeHeartbeat"), "sendNodeHeartbeat")
        XCTAssertEqual(SwiftNaming.upperCamel("scalar"), "Scalar")
        XCTAssertEqual(SwiftNaming.upperCamel("msg"), "Msg")
    }

    func testKeywordsAreEscaped() {
        XCTAssertEqual(SwiftNaming.escaped("default"), "`default`")
        XCTAssertEqual(SwiftNaming.escaped("self"), "`self`")
        XCTAssertEqual(SwiftNaming.escaped("runID"), "runID")
    }

    func testSwiftFileNames() {
        XCTAssertEqual(ProtoCodegen.swiftFileName(forProto: "flwr/proto/fleet.proto"), "flwr_proto_fleet.pb.swift")
        XCTAssertEqual(ProtoCodegen.swiftFileName(forProto: "grpc/health/v1/health.proto"), "grpc_health_v1_health.pb.swift")
    }
}
