import Foundation
import RPC
import XCTest

/// Our server against a grpcio client, and our client against a grpcio server.
final class PythonInteropTests: XCTestCase {
    func testPythonClientAgainstOurServer() async throws {
        let python = try PythonGRPC.requireInterpreter()
        let slowCancelled = expectation(description: "handler cancelled by the Python deadline")
        let test = try startServer { server in
            EchoService.register(on: server)
            server.registerUnary("/t.S/Meta") { _, context in
                (context.metadata.first("x-blob-bin") ?? []) + Array((context.metadata.firstString("x-text") ?? "").utf8)
            }
            server.registerServerStreaming("/t.S/Count") { request, _, writer in
                for index in 0..<Int(request[0]) { try await writer.send(Array("m\(index)".utf8)) }
            }
            server.registerUnary("/t.S/Slow") { _, _ in
                do { try await Task.sleep(for: .seconds(30)) } catch { slowCancelled.fulfill() }
                return []
            }
        }
        let child = try Subprocess(python, ["-c", PythonGRPC.clientScript, test.target])
        defer { child.kill() }
        child.closeInput()
        let exit = await child.wait(timeout: .seconds(90))
        XCTAssertEqual(exit, 0, "python stderr: \(child.stderr)")
        let json = try XCTUnwrap(
            child.stdout.split(separator: "\n").first { $0.hasPrefix("RESULT ") }?.dropFirst("RESULT ".count),
            "stdout: \(child.stdout) stderr: \(child.stderr)")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(result["echo"] as? String, "00ff68656c6c6f")
        XCTAssertEqual(result["big"] as? Bool, true)
        XCTAssertEqual(result["fail"] as? [String], ["PERMISSION_DENIED", "⛔️ Run ID does not belong to the account"])
        XCTAssertEqual(result["unknown"] as? String, "UNIMPLEMENTED")
        XCTAssertEqual(result["meta"] as? String, "00ff0102" + "6869")
        XCTAssertEqual(result["stream"] as? [String], ["m0", "m1", "m2", "m3", "m4"])
        XCTAssertEqual(result["deadline"] as? String, "DEADLINE_EXCEEDED")
        await fulfillment(of: [slowCancelled], timeout: 10)
    }

    func testOurClientAgainstPythonServer() async throws {
        let python = try PythonGRPC.requireInterpreter()
        let child = try Subprocess(python, ["-c", PythonGRPC.serverScript])
        defer { child.kill() }
        let portLine = await child.waitForLine(prefix: "PORT ", timeout: .seconds(60))
        let port = try XCTUnwrap(portLine.flatMap { Int($0) }, "stdout: \(child.stdout) stderr: \(child.stderr)")
        let channel = RPCChannel(target: "127.0.0.1:\(port)")
        defer { channel.close() }

        let reply = try await channel.unary("/test.Echo/Say", request: [0, 0xFF, 1], timeout: .seconds(20))
        XCTAssertEqual(reply, [0, 0xFF, 1])

        let big = randomBytes(5 * 1024 * 1024)
        let bigReply = try await channel.unary("/test.Echo/Say", request: big, timeout: .seconds(60))
        XCTAssertTrue(bigReply == big)

        let status = await expectStatus(.permissionDenied) {
            _ = try await channel.unary("/test.Echo/Fail", request: [], timeout: .seconds(20))
        }
        XCTAssertEqual(status?.message, "⛔️ Run ID does not belong to the account")

        await expectStatus(.unimplemented) {
            _ = try await channel.unary("/test.Echo/Nope", request: [], timeout: .seconds(20))
        }

        var metadata = Metadata()
        let binary: [UInt8] = [0, 0xFF, 0x80, 0x00]
        metadata.add("x-blob-bin", binary)
        metadata.add("x-text", "hi")
        let echoed = try await channel.unary("/test.Echo/Meta", request: [], metadata: metadata, timeout: .seconds(20))
        XCTAssertEqual(echoed, binary + Array("hi".utf8))

        var messages: [String] = []
        for try await message in channel.serverStreaming("/test.Echo/Count", request: [4], timeout: .seconds(20)) {
            messages.append(String(decoding: message, as: UTF8.self))
        }
        XCTAssertEqual(messages, ["m0", "m1", "m2", "m3"])

        await expectStatus(.deadlineExceeded) {
            _ = try await channel.unary("/test.Echo/Slow", request: [], timeout: .milliseconds(300))
        }

        child.closeInput()
        let exit = await child.wait(timeout: .seconds(30))
        XCTAssertNotNil(exit, "python server did not exit after stdin closed")
    }
}
