import FlowerProto
import FlowerTime
import Foundation
import LinkState
import ProtoWire
import RPC
import SuperLink
import TestSupport
import XCTest

/// The state backends servicer tests run against.
enum StateBackend: String, CaseIterable, Sendable {
    case inMemory = "in-memory"
    case sqlite = "sqlite-file"
}

/// An in-process SuperLink on loopback (every API on `127.0.0.1:0`), a temp storage directory,
/// a controllable clock shared by state and servicers, and one client channel per API. The state
/// the servicers see is wrapped in an `ObservedLinkState`, so tests can count what they call.
final class TestLink: Sendable {
    let server: SuperLinkServer
    let state: ObservedLinkState
    let clock: TestClock
    let backend: StateBackend
    let fleetChannel: RPCChannel
    let appIoChannel: RPCChannel
    let controlChannel: RPCChannel
    let healthChannel: RPCChannel?
    private let directory: String

    private init(
        server: SuperLinkServer, state: ObservedLinkState, clock: TestClock, backend: StateBackend, directory: String,
        healthAddress: String?
    ) {
        self.server = server
        self.state = state
        self.clock = clock
        self.backend = backend
        self.directory = directory
        fleetChannel = RPCChannel(target: server.boundFleetAddress!)
        appIoChannel = RPCChannel(target: server.boundServerAppIoAddress)
        controlChannel = RPCChannel(target: server.boundControlAddress)
        healthChannel = healthAddress.map { RPCChannel(target: $0) }
    }

    /// Starts a SuperLink on a fresh state of `backend`.
    static func start(
        _ backend: StateBackend = .inMemory, options: ServiceContext.Options = .init(), health: Bool = false,
        logPollInterval: Duration = .milliseconds(50)
    ) async throws -> TestLink {
        // The real time: Flower's validator refuses messages created before 2025.
        let clock = TestClock(FlowerTimestamp.now())
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sepal-superlink-tests-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let closure = clock.closure
        let base: any LinkState
        switch backend {
        case .inMemory:
            base = InMemoryLinkState(clock: closure)
        case .sqlite:
            base = try await offPool { try SQLiteLinkState(path: directory + "/state.db", clock: closure) }
        }
        let state = ObservedLinkState(base)
        var config = SuperLinkServer.Configuration(storageDirectory: directory + "/ffs")
        config.controlAddress = "127.0.0.1:0"
        config.serverAppIoAddress = "127.0.0.1:0"
        config.fleetAddress = "127.0.0.1:0"
        config.options = options
        config.clock = closure
        config.logPollInterval = logPollInterval
        config.healthAddress = health ? "127.0.0.1:0" : nil
        let frozen = config
        let server = try await offPool { try SuperLinkServer.start(frozen, state: state) }
        return TestLink(
            server: server, state: state, clock: clock, backend: backend, directory: directory,
            healthAddress: server.boundHealthAddress)
    }

    /// Stops the servers, closes the channels and the database, removes the temp directory.
    func stop() async {
        fleetChannel.close()
        appIoChannel.close()
        controlChannel.close()
        healthChannel?.close()
        await server.shutdown(grace: .milliseconds(200))
        if let sqlite = state.base as? SQLiteLinkState {
            _ = try? await offPool { sqlite.close() }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The FAB store (`--storage-dir`).
    var fabDirectory: String { directory + "/ffs" }

    // MARK: Typed calls

    func call<Req, Resp>(
        _ channel: RPCChannel, _ method: ProtoMethod<Req, Resp>, _ request: Req, metadata: Metadata = .init()
    ) async throws -> Resp {
        let bytes = try await channel.unary(
            method.path, request: request.serializedBytes(), metadata: metadata, timeout: .seconds(20))
        return try Resp(serializedBytes: bytes)
    }

    func appIo<Req, Resp>(_ method: ProtoMethod<Req, Resp>, _ request: Req) async throws -> Resp {
        try await call(appIoChannel, method, request)
    }

    func control<Req, Resp>(_ method: ProtoMethod<Req, Resp>, _ request: Req) async throws -> Resp {
        try await call(controlChannel, method, request)
    }

    /// A Fleet call signed by `node` at the link's clock (or as `signing` tampers with it).
    func fleet<Req, Resp>(
        _ node: TestNode, _ method: ProtoMethod<Req, Resp>, _ request: Req,
        signing: TestNode.Signing = .valid
    ) async throws -> Resp {
        try await call(fleetChannel, method, request, metadata: node.metadata(now: clock.now, signing))
    }
}

/// Runs `body` against a fresh SuperLink and always stops it afterwards.
func withLink(
    _ backend: StateBackend = .inMemory, options: ServiceContext.Options = .init(), health: Bool = false,
    _ body: (TestLink) async throws -> Void
) async throws {
    let link = try await TestLink.start(backend, options: options, health: health)
    do {
        try await body(link)
    } catch {
        await link.stop()
        throw error
    }
    await link.stop()
}

/// Runs `body` once per state backend.
func forEachBackend(
    options: ServiceContext.Options = .init(), _ body: (TestLink) async throws -> Void
) async throws {
    for backend in StateBackend.allCases {
        try await withLink(backend, options: options, body)
    }
}
