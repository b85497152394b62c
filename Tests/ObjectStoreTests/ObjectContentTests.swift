import XCTest
@testable import ObjectStore

final class ObjectContentTests: XCTestCase {
    func testVectorsHashToTheirIDsAndValidate() throws {
        let vectors = try Fixtures.vectors()
        XCTAssertEqual(vectors.count, 8)
        for vector in vectors {
            XCTAssertEqual(vector.tree.objectID, vector.rootID, vector.name)
            XCTAssertEqual(vector.tree.postOrder.map(\.objectID), vector.objects.map(\.objectID), vector.name)
            for object in vector.objects {
                XCTAssertEqual(ObjectContent.objectID(object.content), object.objectID, vector.name)
                XCTAssertTrue(ObjectContent.isValidObjectID(object.objectID))
                let head = try ObjectContent.validate(object.content).get()
                XCTAssertEqual(head.type.rawValue, object.type, vector.name)
                let node = try XCTUnwrap(vector.tree.find(object.objectID))
                XCTAssertEqual(head.childIDs, node.children.map(\.objectID), "\(vector.name) \(object.type)")
                XCTAssertEqual(head.bodyOffset + head.bodyLength, object.content.count)
                XCTAssertNil(ObjectContent.verify(objectID: object.objectID, content: object.content))
            }
        }
    }

    func testDocumentedExampleIDs() {
        let chunk: [UInt8] = Array("ArrayChunk  4".utf8) + [0, 1, 2, 3, 4]
        XCTAssertEqual(ObjectContent.objectID(chunk), "9399e94d744f08230a4c49e7b1e39010f368e001acaecffbd9efaddd1716d052")
        let empty = Fixtures.object(
            "Array", body: #"{"dtype": "float32", "shape": [0], "stype": "raw", "arraychunk_ids": []}"#)
        XCTAssertEqual(ObjectContent.objectID(empty), "dcf9733d7203761e49e4562042a2463204d3f3db1d51d237b0b16b924058343a")
        XCTAssertEqual(try ObjectContent.validate(empty).get().type, .array)
    }

    func testObjectIDValidity() {
        let good = String(repeating: "ab", count: 32)
        XCTAssertTrue(ObjectContent.isValidObjectID(good))
        XCTAssertTrue(ObjectContent.isValidObjectID(String(repeating: "0123456789abcdef", count: 4)))
        XCTAssertFalse(ObjectContent.isValidObjectID(""))
        XCTAssertFalse(ObjectContent.isValidObjectID(String(good.dropLast())))
        XCTAssertFalse(ObjectContent.isValidObjectID(good + "a"))
        XCTAssertFalse(ObjectContent.isValidObjectID(good.uppercased()))
        XCTAssertFalse(ObjectContent.isValidObjectID(String(good.dropLast()) + "g"))
        XCTAssertFalse(ObjectContent.isValidObjectID(String(good.dropLast()) + "é"))
    }

    func testEveryTypeNameIsAccepted() throws {
        for type in ObjectType.allCases {
            XCTAssertEqual(try ObjectContent.validate(Fixtures.object(type.rawValue, body: "x")).get().type, type)
        }
    }

    func testMalformedContentIsRejected() {
        let child = String(repeating: "a", count: 64)
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("no divider", Array("ArrayChunk  4".utf8)),
            ("two parts", Array("ArrayChunk 4".utf8) + [0, 1, 2, 3, 4]),
            ("four parts", Array("ArrayChunk   4".utf8) + [0, 1, 2, 3, 4]),
            ("unknown type", Fixtures.object("Tensor", body: "abc")),
            ("lowercase type", Fixtures.object("arraychunk", body: "abc")),
            ("uppercase child", Fixtures.object("Array", children: [child.uppercased()], body: "{}")),
            ("short child", Fixtures.object("Array", children: [String(child.dropLast())], body: "{}")),
            ("empty child in list", Array("Array \(child), 2".utf8) + [0] + Array("{}".utf8)),
            ("body too long", Array("ArrayChunk  3".utf8) + [0, 1, 2, 3, 4]),
            ("body too short", Array("ArrayChunk  5".utf8) + [0, 1, 2, 3, 4]),
            ("non-decimal length", Array("ArrayChunk  +4".utf8) + [0, 1, 2, 3, 4]),
            ("empty length", Array("ArrayChunk  ".utf8) + [0]),
            ("head not UTF-8", [0xff, 0x20, 0x20, 0x30, 0]),
        ]
        for (name, bytes) in cases {
            switch ObjectContent.validate(bytes) {
            case .success: XCTFail("\(name) was accepted")
            case .failure(let error):
                guard case .invalidObjectContent = error else { return XCTFail("\(name): \(error)") }
            }
            let outcome = ObjectContent.verify(objectID: ObjectContent.objectID(bytes), content: bytes)
            guard case .invalidContent = outcome else { return XCTFail("\(name): verify gave \(String(describing: outcome))") }
        }
    }

    func testTheHeadEndsAtTheFirstNul() throws {
        // Body bytes may contain NULs; the divider is the first one.
        let bytes = Array("ArrayChunk  3".utf8) + [0, 0, 0, 0]
        XCTAssertEqual(try ObjectContent.validate(bytes).get().bodyLength, 3)
    }

    func testVerifyChecksTheHashFirst() {
        let bytes = Fixtures.object("ArrayChunk", body: "abc")
        XCTAssertEqual(ObjectContent.verify(objectID: String(repeating: "0", count: 64), content: bytes), .hashMismatch)
        XCTAssertEqual(ObjectContent.verify(objectID: ObjectContent.objectID(bytes).uppercased(), content: bytes), .hashMismatch)
        let bad: [UInt8] = Array("nonsense".utf8)
        XCTAssertEqual(ObjectContent.verify(objectID: String(repeating: "0", count: 64), content: bad), .hashMismatch)
    }
}
