import Foundation
import LinkState
import TestSupport
import XCTest

/// The LinkState implementations every conformance test runs against.
enum Backends {
    struct Backend {
        var name: String
        var make: (TestClock) async throws -> any LinkState
    }

    static var all: [Backend] { [
        Backend(name: "in-memory") { InMemoryLinkState(clock: $0.closure) },
        Backend(name: "sqlite-file") { clock in
            let path = TempFiles.path("linkstate")
            let closure = clock.closure
            return try await offPool { try SQLiteLinkState(path: path, clock: closure) }
        },
    ] }
}

/// Runs `body` once per backend with a fresh state and clock; removes database files afterwards.
func forEachBackend(
    _ body: (_ name: String, _ state: any LinkState, _ clock: TestClock) async throws -> Void
) async throws {
    defer { TempFiles.removeAll() }
    for backend in Backends.all {
        let clock = TestClock()
        let state = try await backend.make(clock)
        try await body(backend.name, state, clock)
        (state as? SQLiteLinkState)?.close()
    }
}
