import FlowerProto
import Foundation
import LinkState
import RPC
import SuperLink
import TestSupport
import XCTest

/// Starting and stopping the assembled SuperLink: ports are never shared, storage must be usable,
/// and shutdown ends open streams.
final class ServerLifecycleTests: XCTestCase {
    private func config(_ directory: String) -> SuperLinkServer.Configuration {
        var config = SuperLinkServer.Configuration(storageDirectory: directory)
        config.controlAddress = "127.0.0.1:0"
        config.serverAppIoAddress = "127.0.0.1:0"
        config.fleetAddress = "127.0.0.1:0"
        return config
    }

    func testATakenPortIsAStartError() async throws {
        try await withLink { link in
            let directory = NSTemporaryDirectory() + "sepal-sl-port-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var second = config(directory)
            second.fleetAddress = link.server.boundFleetAddress
            let frozen = second
            let outcome: Result<SuperLinkServer, SuperLinkServer.StartError> = try await offPool {
                Result { () throws(SuperLinkServer.StartError) in
                    try SuperLinkServer.start(frozen, state: InMemoryLinkState())
                }
            }
            switch outcome {
            case .success(let server):
                await server.shutdown(grace: .zero)
                XCTFail("a second SuperLink shared the Fleet port")
            case .failure(.bind(let api, let address, let error)):
                XCTAssertEqual(api, "Fleet")
                XCTAssertEqual(address, link.server.boundFleetAddress)
                guard case .addressInUse = error else { return XCTFail("\(error)") }
            case .failure(let other):
                XCTFail("\(other)")
            }
            // The first one still serves.
            let node = try await link.newNode()
            XCTAssertNotEqual(node.id, 0)
        }
    }

    func testUnusableStorageIsAStartError() async throws {
        let file = NSTemporaryDirectory() + "sepal-sl-file-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let frozen = config(file + "/ffs")  // below a regular file: cannot be created
        let outcome: Result<SuperLinkServer, SuperLinkServer.StartError> = try await offPool {
            Result { () throws(SuperLinkServer.StartError) in try SuperLinkServer.start(frozen, state: InMemoryLinkState()) }
        }
        switch outcome {
        case .success(let server):
            await server.shutdown(grace: .zero)
            XCTFail("started on an unusable storage directory")
        case .failure(.storage(let message)):
            XCTAssertTrue(message.hasPrefix("Cannot use storage directory"), message)
        case .failure(let other):
            XCTFail("\(other)")
        }
    }

    func testShutdownEndsAnOpenLogStream() async throws {
        let link = try await TestLink.start()
        let (runID, _) = try await link.runningRun()
        var req = FlwrStreamLogsRequest()
        req.runID = runID
        let stream = link.controlChannel.serverStreaming(
            FlwrControl.streamLogs.path, request: req.serializedBytes(), timeout: .seconds(60))
        let reader = Task { () -> Error? in
            do {
                for try await _ in stream {}
                return nil
            } catch {
                return error
            }
        }
        let polling = await eventually { link.state.count("serverAppLog") >= 2 }
        XCTAssertTrue(polling)
        let started = ContinuousClock.now
        await link.server.shutdown(grace: .milliseconds(200))
        let elapsed = ContinuousClock.now - started
        XCTAssertLessThan(elapsed, .seconds(3), "shutdown waited for the log loop")
        let ended = await reader.value
        XCTAssertNotNil(ended, "the stream ended as if the run had finished")
        let polls = link.state.count("serverAppLog")
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(link.state.count("serverAppLog"), polls, "the log loop outlived shutdown")
        await link.stop()
    }
}
