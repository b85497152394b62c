import Foundation
import LinkState
import XCTest

/// The LinkState implementations every conformance test runs against.
enum Backends {
    struct Backend {
        var name: String
        var make: (TestClock) throws -> any LinkState
    }

    static var all: [Backend] {
        [Backend(name: "in-memory") { InMemoryLinkState(clock: $0.closure) }] + sqlite
    }
}

/// Runs `body` once per backend with a fresh state and clock.
func forEachBackend(
    _ body: (_ name: String, _ state: any LinkState, _ clock: TestClock) async throws -> Void
) async throws {
    for backend in Backends.all {
        let clock = TestClock()
        try await body(backend.name, try backend.make(clock), clock)
    }
}
