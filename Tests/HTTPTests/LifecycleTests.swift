import Foundation
import HTTP
import Synchronization
import XCTest

/// Start, graceful stop and forced stop.
final class LifecycleTests: XCTestCase {
    func testInFlightRequestFinishesWithinGraceAndClosesConnection() throws {
        let entered = DispatchSemaphore(value: 0)
        let server = try TestServer { _ in
            entered.signal()
            try? await Task.sleep(for: .milliseconds(300))
            return .text(200, "done")
        }
        let client = try RawClient(port: server.port)
        client.send(post("/slow"))
        XCTAssertEqual(entered.wait(timeout: .now() + 10), .success)
        let idle = try RawClient(port: server.port)  // connected, never asks
        let started = ContinuousClock.now
        server.stop(grace: .seconds(5))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4))
        let response = try XCTUnwrap(client.response())
        XCTAssertEqual(response.text, "done")
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertTrue(idle.readUntilClosed())
        XCTAssertThrowsError(try RawClient(port: server.port))  // no longer listening
    }

    func testHandlerPastGraceIsCancelled() throws {
        let entered = DispatchSemaphore(value: 0)
        let cancelled = Mutex(false)
        let server = try TestServer { _ in
            entered.signal()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.withLock { $0 = true }
            }
            return .text(200, "late")
        }
        let client = try RawClient(port: server.port)
        client.send(post("/forever"))
        XCTAssertEqual(entered.wait(timeout: .now() + 10), .success)
        let started = ContinuousClock.now
        server.stop(grace: .milliseconds(200))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        XCTAssertTrue(cancelled.withLock { $0 })
        XCTAssertTrue(client.readUntilClosed())
    }

    func testShutdownIsIdempotentAndWorksBeforeStart() async throws {
        let unstarted = HTTPServer { _ in .text(200, "") }
        let port = try unstarted.bind("127.0.0.1:0")
        await unstarted.shutdown(grace: .zero)
        // The port is free again.
        let again = HTTPServer { _ in .text(200, "") }
        XCTAssertEqual(try again.bind("127.0.0.1:\(port)"), port)
        try again.start()
        await again.shutdown(grace: .zero)
        await again.shutdown(grace: .zero)
        XCTAssertThrowsError(try again.start())
    }

    func testRestartOnSamePortAfterShutdown() throws {
        let first = try TestServer()
        let port = first.port
        let client = try RawClient(port: port)
        client.send(post("/x"))
        XCTAssertEqual(client.response()?.status, 200)
        first.stop()
        let second = HTTPServer { _ in .text(200, "second") }
        XCTAssertEqual(try second.bind("127.0.0.1:\(port)"), port)  // SO_REUSEADDR: TIME_WAIT is no obstacle
        try second.start()
        defer { second.shutdown(grace: .zero) }
        let c2 = try RawClient(port: port)
        c2.send(post("/y"))
        XCTAssertEqual(c2.response()?.text, "second")
    }
}
