import FlowerProto
import XCTest

/// Presence rules and round trips of the messages Sepal handles most.
final class PresenceAndRoundTripTests: XCTestCase {
    func testPresentEmptyContentEncodesAsTagAndZeroLength() throws {
        var message = FlwrMessage()
        message.content = FlwrRecordDict()
        XCTAssertEqual(hex(message.serializedBytes()), "1200")
        let decoded = try FlwrMessage(serializedBytes: hex("1200"))
        XCTAssertNotNil(decoded.content, "present-but-empty content must stay present")
        XCTAssertNil(decoded.metadata)
        XCTAssertNil(try FlwrMessage(serializedBytes: []).content)
    }

    func testErrorMessageWithoutContent() throws {
        var error = FlwrError()
        error.code = 4
        error.reason = "boom"
        var message = FlwrMessage()
        message.metadata = FlwrMetadata()
        message.error = error
        let decoded = try FlwrMessage(serializedBytes: message.serializedBytes())
        XCTAssertEqual(decoded, message)
        XCTAssertNil(decoded.content)
        XCTAssertEqual(hex(message.serializedBytes()), "0a00" + "1a0808081204626f6f6d")
    }

    func testRecordDictRoundTrip() throws {
        var array = FlwrArray()
        array.dtype = "float32"
        array.shape = [2, 3]
        array.stype = "numpy.ndarray"
        array.data = Array(repeating: 7, count: 300)
        var arrayItem = FlwrArrayRecord.Item()
        arrayItem.key = "w"
        arrayItem.value = array
        var arrays = FlwrArrayRecord()
        arrays.items = [arrayItem]

        var strings = FlwrStringList()
        strings.vals = ["a", "", "ü"]
        let config = FlwrConfigRecord([("s", .stringList(strings)), ("f", .double(.pi)), ("t", .bool(false)),
                                       ("b", .bytes([])), ("u", .uint64(.max))])
        let metrics = FlwrMetricRecord([("acc", .double(0.5)), ("n", .sint64(.min))])

        var dict = FlwrRecordDict()
        for (key, value) in [("arrays", FlwrRecordDict.Item.Value.arrayRecord(arrays)),
                             ("config", .configRecord(config)), ("metrics", .metricRecord(metrics)),
                             ("empty", .configRecord(FlwrConfigRecord()))] {
            var item = FlwrRecordDict.Item()
            item.key = key
            item.value = value
            dict.items.append(item)
        }
        let bytes = dict.serializedBytes()
        XCTAssertEqual(bytes.count, dict.serializedSize)
        XCTAssertEqual(try FlwrRecordDict(serializedBytes: bytes), dict)
        // A oneof member holding a default value (false, empty bytes, empty record) is present.
        let decoded = try FlwrRecordDict(serializedBytes: bytes)
        guard case .configRecord(let record)? = decoded.items[1].value else { return XCTFail("config record lost") }
        XCTAssertEqual(record.items[2].value?.value, .bool(false))
        XCTAssertEqual(record.items[3].value?.value, .bytes([]))
        XCTAssertEqual(decoded.items[3].value, .configRecord(FlwrConfigRecord()))
    }

    func testRunRoundTrip() throws {
        var run = FlwrRun()
        run.runID = 123_456_789_012
        run.fabID = "flwrlabs/app"
        run.fabVersion = "1.0.0"
        run.overrideConfig = ["lr": .double(0.01), "rounds": .sint64(3), "name": .string("x")]
        run.fabHash = String(repeating: "ab", count: 32)
        var status = FlwrRunStatus()
        status.status = "finished"
        status.subStatus = "completed"
        run.status = status
        run.flwrAid = "aid"
        run.federation = "default"
        run.bytesSent = 1 << 40
        run.bytesRecv = 5
        run.clientappRuntime = 12.5
        run.runType = "serverapp"
        let decoded = try FlwrRun(serializedBytes: run.serializedBytes())
        XCTAssertEqual(decoded, run)
        XCTAssertEqual(decoded.overrideConfig["rounds"]?.scalar, .sint64(3))
    }

    func testSimulationConfigOptionalsRoundTrip() throws {
        XCTAssertEqual(try FlwrSimulationConfig(serializedBytes: []), FlwrSimulationConfig())
        var config = FlwrSimulationConfig()
        config.numSupernodes = 10
        config.clientResourcesNumGpus = 0.5
        config.verbose = false
        let decoded = try FlwrSimulationConfig(serializedBytes: config.serializedBytes())
        XCTAssertEqual(decoded, config)
        XCTAssertEqual(decoded.verbose, false)
        XCTAssertNil(decoded.backend)
        XCTAssertNil(decoded.initArgsNumCpus)
    }

    func testMetadataRoundTripAndDefaultsOmitted() throws {
        XCTAssertEqual(FlwrMetadata().serializedBytes(), [])
        var metadata = FlwrMetadata()
        metadata.runID = 1
        metadata.messageID = String(repeating: "f", count: 64)
        metadata.replyToMessageID = "r"
        metadata.ttl = 43200
        metadata.createdAt = 1.5
        XCTAssertEqual(try FlwrMetadata(serializedBytes: metadata.serializedBytes()), metadata)
    }

    func testUnknownEnumValueRoundTrips() throws {
        let decoded = try FlwrStatus(serializedBytes: hex("0863"))
        XCTAssertEqual(decoded.code, FlwrCode(rawValue: 99))
        XCTAssertEqual(hex(decoded.serializedBytes()), "0863")
        XCTAssertFalse(FlwrCode.knownValues.contains(decoded.code))
    }

    func testOneofLastMemberWins() throws {
        // Scalar with double then string: the string wins.
        let decoded = try FlwrScalar(serializedBytes: hex("09000000000000f03f" + "720178"))
        XCTAssertEqual(decoded.scalar, .string("x"))
    }

    func testHostileInputIntoGeneratedDecoders() {
        // A depth bomb of ObjectTree children and a Message whose content claims 2^32 bytes.
        var reversed: [UInt8] = []
        for _ in 0 ..< 1000 {
            reversed.append(contentsOf: [UInt8(reversed.count & 0x7F) | 0x80, UInt8(reversed.count >> 7)].reversed())
            reversed.append(0x12)
        }
        XCTAssertThrowsError(try FlwrObjectTree(serializedBytes: Array(reversed.reversed()))) { error in
            XCTAssertEqual(error as? ProtoDecodeError, .nestingTooDeep)
        }
        XCTAssertThrowsError(try FlwrMessage(serializedBytes: hex("1280808080 10"))) { error in
            XCTAssertEqual(error as? ProtoDecodeError, .lengthExceedsInput)
        }
        XCTAssertThrowsError(try FlwrMetadata(serializedBytes: hex("1201ff"))) { error in
            XCTAssertEqual(error as? ProtoDecodeError, .invalidUTF8(fieldNumber: 2))
        }
        XCTAssertThrowsError(try FlwrContext(serializedBytes: hex("1a03 0a01ff"))) { error in
            XCTAssertEqual(error as? ProtoDecodeError, .invalidUTF8(fieldNumber: 1), "map keys are validated too")
        }
    }

    func testMapEntryWithMissingValueDecodesAsDefault() throws {
        // Context.node_config entry {key: "a"} with no value: Python yields an empty Scalar.
        let decoded = try FlwrContext(serializedBytes: hex("1a030a0161"))
        XCTAssertEqual(decoded.nodeConfig, ["a": FlwrScalar()])
        // Entry with no key either: the key is "".
        XCTAssertEqual(try FlwrContext(serializedBytes: hex("1a00")).nodeConfig, ["": FlwrScalar()])
        // Duplicate keys: last wins.
        let duplicated = try FlwrPushMessagesResponse(serializedBytes: hex("12050a016110011205" + "0a01611002"))
        XCTAssertEqual(duplicated.results, ["a": 2])
    }
}
