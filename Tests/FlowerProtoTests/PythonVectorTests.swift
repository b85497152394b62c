import FlowerProto
import XCTest

/// Byte-exact comparisons with Python protobuf 6.33 (flwr 1.28's venv), produced with
/// `SerializeToString(deterministic=True)` from `flwr.proto.*_pb2`. The Python that built each
/// vector is quoted above it.
final class PythonVectorTests: XCTestCase {
    // Metadata(run_id=42, message_id="abc", src_node_id=1, dst_node_id=1234, group_id="1",
    //          ttl=43200.0, message_type="train", created_at=1767225600.0); Message(metadata, content=RecordDict())
    func testMessageWithMetadataAndPresentEmptyContent() {
        var metadata = FlwrMetadata()
        metadata.runID = 42
        metadata.messageID = "abc"
        metadata.srcNodeID = 1
        metadata.dstNodeID = 1234
        metadata.groupID = "1"
        metadata.ttl = 43200
        metadata.messageType = "train"
        metadata.createdAt = 1_767_225_600
        var message = FlwrMessage()
        message.metadata = metadata
        message.content = FlwrRecordDict()
        assertWire(message, "0a28082a1203616263180120d20932013139000000000018e5404205747261696e49000000406e55da41" + "1200")
        XCTAssertEqual(Array(message.serializedBytes().suffix(2)), [0x12, 0x00], "content present but empty")
    }

    // ConfigRecord({"a": 1, "b": "x"}) — also the §3.7 body
    func testConfigRecord() {
        assertWire(FlwrConfigRecord([("a", .sint64(1)), ("b", .string("x"))]), "0a070a0161120210020a080a016212032a0178")
    }

    // Context(run_id=7, state=RecordDict()); run_config: lr=0.1, epochs=-3, name="x", b=True,
    // big=2**63 (uint64), ""=b"\x00\xff"; node_config: "é"="e", "z"=sint64 0, "Z"=Scalar()
    func testContextWithMaps() {
        var context = FlwrContext()
        context.runID = 7
        context.state = FlwrRecordDict()
        context.runConfig = [
            "lr": .double(0.1), "epochs": .sint64(-3), "name": .string("x"), "b": .bool(true),
            "big": .uint64(1 << 63), "": .bytes([0x00, 0xFF]),
        ]
        context.nodeConfig = ["é": .string("e"), "z": .sint64(0), "Z": FlwrScalar()]
        assertWire(context, "08071a050a015a12001a070a017a120240001a090a02c3a9120372016522002a120a03626967120b3080808080"
            + "808080808001" + "2a070a0162120268012a0c0a0665706f636873120240052a0f0a026c721209099a9999999999b93f2a0b0a046e61"
            + "6d6512037201782a080a0012047a0200ff")
    }

    // SimulationConfig(num_supernodes=0, client_resources_num_gpus=0.0, backend="", verbose=False,
    //                  init_args_num_cpus=4, init_args_logging_level="INFO", init_args_log_to_driver=True)
    func testSimulationConfigOptionalsSetToDefaultsAreEncoded() {
        var config = FlwrSimulationConfig()
        config.numSupernodes = 0
        config.clientResourcesNumGpus = 0
        config.backend = ""
        config.verbose = false
        config.initArgsNumCpus = 4
        config.initArgsLoggingLevel = "INFO"
        config.initArgsLogToDriver = true
        assertWire(config, "08001d000000002200280030044204494e464f4801")
        XCTAssertNil(config.clientResourcesNumCpus)
        XCTAssertEqual(FlwrSimulationConfig().serializedBytes(), [])
    }

    // ListRunsRequest(run_id=0)
    func testOptionalZeroRunID() {
        var request = FlwrListRunsRequest()
        request.runID = 0
        assertWire(request, "0800")
        XCTAssertEqual(try FlwrListRunsRequest(serializedBytes: []).runID, nil)
    }

    // Run(run_id=2**64-1, fab_id="f", fab_version="1.0", fab_hash="ab", pending_at="p",
    //     status=RunStatus(status="running", details="d"), flwr_aid="aid", federation="default",
    //     bytes_sent=10, clientapp_runtime=1.5, run_type="serverapp"); override_config["k"].double = -0.0
    func testRun() {
        var run = FlwrRun()
        run.runID = .max
        run.fabID = "f"
        run.fabVersion = "1.0"
        run.fabHash = "ab"
        run.pendingAt = "p"
        var status = FlwrRunStatus()
        status.status = "running"
        status.details = "d"
        run.status = status
        run.flwrAid = "aid"
        run.federation = "default"
        run.bytesSent = 10
        run.clientappRuntime = 1.5
        run.runType = "serverapp"
        run.overrideConfig = ["k": .double(-0.0)]
        assertWire(run, "08ffffffffffffffffff011201661a03312e30220e0a016b12090900000000000000802a02616232017052"
            + "0c0a0772756e6e696e671a01645a03616964620764656661756c74680a79000000000000f83f820109736572766572617070")
    }

    // PushMessagesResponse(reconnect=Reconnect(), results={"b": 0, "a": 300}, objects_to_push=["x", "y"])
    func testPushMessagesResponse() {
        var response = FlwrPushMessagesResponse()
        response.reconnect = FlwrReconnect()
        response.results = ["b": 0, "a": 300]
        response.objectsToPush = ["x", "y"]
        assertWire(response, "0a0012060a016110ac0212050a016210001a01781a0179")
    }

    // ListRunsResponse(now="t"); run_dict[300].run_id=300; run_dict[2]=Run(); run_dict[10].fab_id="z"
    // (upb writes integer map keys in descending order)
    func testListRunsResponseIntegerMapKeys() {
        var response = FlwrListRunsResponse()
        response.now = "t"
        var r300 = FlwrRun()
        r300.runID = 300
        var r10 = FlwrRun()
        r10.fabID = "z"
        response.runDict = [300: r300, 2: FlwrRun(), 10: r10]
        assertWire(response, "0a0808ac02120308ac020a07080a120312017a0a0408021200120174")
    }

    // Array(dtype="float32", shape=[-1, 3, 0], stype="numpy.ndarray", data=b"\x01\x02")
    func testArrayNegativeInt32Packed() {
        var array = FlwrArray()
        array.dtype = "float32"
        array.shape = [-1, 3, 0]
        array.stype = "numpy.ndarray"
        array.data = [1, 2]
        assertWire(array, "0a07666c6f61743332120cffffffffffffffffff0103001a0d6e756d70792e6e64617272617922020102")
    }

    // Error(code=-2, reason="boom")
    func testErrorSInt64() {
        var error = FlwrError()
        error.code = -2
        error.reason = "boom"
        assertWire(error, "08031204626f6f6d")
    }

    // NodeInfo(node_id=5, online_until=0.0, heartbeat_interval=30.0, public_key=b"\x04\x01", last_activated_at="")
    func testNodeInfoOptionals() {
        var info = FlwrNodeInfo()
        info.nodeID = 5
        info.onlineUntil = 0
        info.heartbeatInterval = 30
        info.publicKey = [4, 1]
        info.lastActivatedAt = ""
        assertWire(info, "08053200490000000000000000510000000000003e405a020401")
    }

    // ObjectTree(object_id="r", children=[ObjectTree("a", [ObjectTree("b")]), ObjectTree("c")])
    func testObjectTree() {
        func tree(_ id: String, _ children: [FlwrObjectTree] = []) -> FlwrObjectTree {
            var tree = FlwrObjectTree()
            tree.objectID = id
            tree.children = children
            return tree
        }
        assertWire(tree("r", [tree("a", [tree("b")]), tree("c")]), "0a017212080a016112030a016212030a0163")
    }

    // PushMessagesRequest(node=Node(node_id=9), messages_list=[Message(metadata=Metadata(run_id=1))],
    //                     message_object_trees=[ObjectTree(object_id="o")], clientapp_runtime_list=[0.5, 2.0])
    func testPushMessagesRequest() {
        var request = FlwrPushMessagesRequest()
        var node = FlwrNode()
        node.nodeID = 9
        request.node = node
        var message = FlwrMessage()
        var metadata = FlwrMetadata()
        metadata.runID = 1
        message.metadata = metadata
        request.messagesList = [message]
        var tree = FlwrObjectTree()
        tree.objectID = "o"
        request.messageObjectTrees = [tree]
        request.clientappRuntimeList = [0.5, 2]
        assertWire(request, "0a02080912040a0208011a030a016f2210000000000000e03f0000000000000040")
    }

    // ClientMessage(evaluate_res=EvaluateRes(status=Status(code=EVALUATE_NOT_IMPLEMENTED, message="m"),
    //                                        loss=0.25, num_examples=-1))
    func testClientMessageOneofEnumAndFloat() {
        var status = FlwrStatus()
        status.code = .evaluateNotImplemented
        status.message = "m"
        var result = FlwrClientMessage.EvaluateRes()
        result.status = status
        result.loss = 0.25
        result.numExamples = -1
        var message = FlwrClientMessage()
        message.msg = .evaluateRes(result)
        assertWire(message, "2a170a05080412016d150000803e18ffffffffffffffffff01")
    }

    // Metadata(ttl=-0.0)
    func testNegativeZeroDouble() {
        var metadata = FlwrMetadata()
        metadata.ttl = -0.0
        assertWire(metadata, "390000000000000080")
    }

    // MetricRecord(items=[("l", sint_list=[2, -3, 0]), ("u", uint_list=[2**64-1])])
    func testMetricRecordLists() {
        var sints = FlwrSintList()
        sints.vals = [2, -3, 0]
        var uints = FlwrUintList()
        uints.vals = [.max]
        assertWire(FlwrMetricRecord([("l", .sintList(sints)), ("u", .uintList(uints))]),
                   "0a0d0a016c1208b201050a030405000a140a0175120fba010c0a0affffffffffffffffff01")
    }

    // PushObjectRequest(node=Node(node_id=1), run_id=3, object_id="id", object_content=bytes(range(256))*2)
    func testPushObjectRequestWithTwoByteLength() {
        var request = FlwrPushObjectRequest()
        var node = FlwrNode()
        node.nodeID = 1
        request.node = node
        request.runID = 3
        request.objectID = "id"
        request.objectContent = (0 ..< 512).map { UInt8($0 % 256) }
        let bytes = request.serializedBytes()
        XCTAssertEqual(bytes.count, 525)
        XCTAssertEqual(hex(Array(bytes.prefix(20))), "0a02080110031a02696422800400010203040506")
        XCTAssertEqual(try FlwrPushObjectRequest(serializedBytes: bytes), request)
    }

    // grpc.health.v1.HealthCheckResponse(status=SERVING)
    func testHealthCheckResponse() {
        var response = GrpcHealthV1HealthCheckResponse()
        response.status = .serving
        assertWire(response, "0801")
        XCTAssertEqual(GrpcHealthV1HealthCheckResponse.ServingStatus.serviceUnknown.rawValue, 3)
    }
}
