import FlowerProto
import LinkState
import RPC
import XCTest

/// Control API failures with Flower 1.28's codes and detail strings (the `flwr` CLI turns several
/// of them into its own messages, e.g. "Run ID not found.").
final class ControlErrorTests: XCTestCase {
    func testUnknownRunIDs() async throws {
        try await withLink { link in
            var list = FlwrListRunsRequest()
            list.runID = 12345
            await assertStatus(.notFound, "Run ID not found") { try await link.control(FlwrControl.listRuns, list) }
            var stop = FlwrStopRunRequest()
            stop.runID = 12345
            await assertStatus(.notFound, "Run ID not found") { try await link.control(FlwrControl.stopRun, stop) }
            var logs = FlwrStreamLogsRequest()
            logs.runID = 12345
            await assertStatus(.notFound, "Run ID not found") {
                for try await _ in link.controlChannel.serverStreaming(
                    FlwrControl.streamLogs.path, request: logs.serializedBytes(), timeout: .seconds(10))
                {}
            }
        }
    }

    func testStartRunRefusesBadFABsAndStoresNothing() async throws {
        try await withLink { link in
            await assertStatus(.unknown, "Exception calling application: File is not a zip file") {
                try await link.startRun(fab: Array("definitely not a zip".utf8))
            }
            await assertStatus(.unknown, .prefix("Exception calling application: ")) {
                try await link.startRun(fab: StoredZip.build([("README.md", Array("no pyproject".utf8))]))
            }
            var x = FlwrScalar()
            x.scalar = .sint64(1)
            await assertStatus(.failedPrecondition, "Key 'x' is not present in the main dictionary") {
                try await link.startRun(overrides: ["x": x])
            }
            // A table is not a key: only flattened leaves are.
            await assertStatus(.failedPrecondition, "Key 'nested' is not present in the main dictionary") {
                try await link.startRun(overrides: ["nested": x])
            }
            let runs = try await link.state.runs(flwrAid: nil)
            XCTAssertTrue(runs.isEmpty, "a refused StartRun created a run")

            // Known keys, flattened with ".", are accepted; so is Flower's real `flwr build` output.
            let ok = try await link.startRun(overrides: ["nested.depth": x, "num-server-rounds": x])
            let fixture = try await link.startRun(fab: try TestFAB.fixture())
            let listed = try await link.listedRun(fixture)
            XCTAssertEqual(listed.fabID, "sepal/tinyapp")
            XCTAssertEqual(listed.fabHash, "3c6852360433f6c84e0d7ddcc50725f3be4f8bb7c91f5a7ad502ea11ee1a0d60")
            XCTAssertNotEqual(ok, fixture)
        }
    }

    func testStartRunOversizedFABGetsAnEmptyResponse() async throws {
        try await withLink { link in
            var req = FlwrStartRunRequest()
            var fab = FlwrFab()
            fab.content = [UInt8](repeating: 0, count: 10 * 1024 * 1024 + 1)
            req.fab = fab
            let resp = try await link.control(FlwrControl.startRun, req)
            XCTAssertNil(resp.runID)
        }
    }

    func testStopRunTwice() async throws {
        try await forEachBackend { link in
            let runID = try await link.startRun()
            let stopped = try await link.stopRun(runID)
            XCTAssertTrue(stopped)
            await assertStatus(.failedPrecondition, "Run ID \(runID) is already finished") {
                try await link.stopRun(runID)
            }
            let run = try await link.listedRun(runID)
            XCTAssertEqual(run.status?.status, "finished")
            XCTAssertEqual(run.status?.subStatus, "stopped")

            // A run that completed cannot be stopped either.
            let (done, _) = try await link.runningRun()
            try await link.updateRunStatus(done, "finished", "completed")
            await assertStatus(.failedPrecondition, "Run ID \(done) is already finished") {
                try await link.stopRun(done)
            }
            let completed = try await link.listedRun(done)
            XCTAssertEqual(completed.status?.subStatus, "completed")
        }
    }

    func testListRunsNewestFirstWithLimit() async throws {
        try await withLink { link in
            var ids: [UInt64] = []
            for _ in 0..<3 {
                ids.append(try await link.startRun())
                link.clock.advance(1)
            }
            var req = FlwrListRunsRequest()
            req.limit = 2
            let limited = try await link.control(FlwrControl.listRuns, req)
            XCTAssertEqual(Set(limited.runDict.keys), Set(ids.suffix(2)))
            req.limit = 0
            let none = try await link.control(FlwrControl.listRuns, req)
            XCTAssertTrue(none.runDict.isEmpty)
        }
    }

    /// The open-source (NoOp) account and federation surface, as `flower-superlink` answers it.
    func testNoOpAccountAndFederationAnswers() async throws {
        try await withLink(health: true) { link in
            let login = try await link.control(FlwrControl.getLoginDetails, FlwrGetLoginDetailsRequest())
            XCTAssertEqual(login.authnType, "noop")
            await assertStatus(.unknown, "Exception calling application: NoOp plugin does not support getting auth tokens.") {
                try await link.control(FlwrControl.getAuthTokens, FlwrGetAuthTokensRequest())
            }
            var artifacts = FlwrPullArtifactsRequest()
            artifacts.runID = 5
            await assertStatus(.unimplemented, "ControlServicer initialized without artifact provider") {
                try await link.control(FlwrControl.pullArtifacts, artifacts)
            }
            let feds = try await link.control(FlwrControl.listFederations, FlwrListFederationsRequest())
            XCTAssertEqual(feds.federations.map(\.name), ["@none/default"])
            XCTAssertEqual(feds.federations.first?.description, "A federation for testing and development purposes.")
            XCTAssertEqual(feds.federations.first?.simulation, false)
            var show = FlwrShowFederationRequest()
            show.federationName = "@none/default"
            let shown = try await link.control(FlwrControl.showFederation, show)
            XCTAssertEqual(shown.federation?.members.first?.account?.id, "<id:none>")
            XCTAssertEqual(shown.federation?.members.first?.role, "owner")
            show.federationName = "@x/y"
            await assertStatus(.unknown, "Exception calling application: Federation '@x/y' does not exist.") {
                try await link.control(FlwrControl.showFederation, show)
            }
            var create = FlwrCreateFederationRequest()
            create.federationName = "x"
            await assertStatus(.unimplemented, "SuperLink does not support federation management.") {
                try await link.control(FlwrControl.createFederation, create)
            }
            // Federation management, answered as the NoOp manager of flower-superlink 1.28 does.
            let unspecified: Detail = "No federation specified. You must specify a federation to perform this action."
            await assertStatus(.failedPrecondition, unspecified) {
                try await link.control(FlwrControl.createFederation, FlwrCreateFederationRequest())
            }
            await assertStatus(.failedPrecondition, unspecified) {
                try await link.control(FlwrControl.archiveFederation, FlwrArchiveFederationRequest())
            }
            var add = FlwrAddNodeToFederationRequest()
            await assertStatus(.failedPrecondition, unspecified) {
                try await link.control(FlwrControl.addNodeToFederation, add)
            }
            add.federationName = "@x/y"
            await assertStatus(.failedPrecondition, "Federation '@x/y' does not exist") {
                try await link.control(FlwrControl.addNodeToFederation, add)
            }
            var remove = FlwrRemoveNodeFromFederationRequest()
            remove.federationName = "@none/default"
            remove.nodeID = 77
            await assertStatus(.failedPrecondition, "Node 77 not found or you are not its owner.") {
                try await link.control(FlwrControl.removeNodeFromFederation, remove)
            }
            var invite = FlwrCreateInvitationRequest()
            await assertStatus(.notFound, "Federation not found, archived, or you cannot perform this action.") {
                try await link.control(FlwrControl.createInvitation, invite)
            }
            invite.federationName = "@none/default"
            await assertStatus(.unimplemented, "SuperLink does not support federation management.") {
                try await link.control(FlwrControl.createInvitation, invite)
            }
            await assertStatus(.notFound, "Federation not found, archived, or you cannot perform this action.") {
                try await link.control(FlwrControl.acceptInvitation, FlwrAcceptInvitationRequest())
            }
            var configure = FlwrConfigureSimulationFederationRequest()
            configure.federationName = "@none/default"
            await assertStatus(.notFound, "Federation not found, archived, or you cannot perform this action.") {
                try await link.control(FlwrControl.configureSimulationFederation, configure)
            }
            var events = FlwrStreamRunEventsRequest()
            events.runID = 5
            await assertStatus(.unknown, "Exception calling application: StreamRunEvents is not implemented yet.") {
                for try await _ in link.controlChannel.serverStreaming(
                    FlwrControl.streamRunEvents.path, request: events.serializedBytes(), timeout: .seconds(10))
                {}
            }
            var options = FlwrGetFederationOptionsRequest()
            options.runID = 5
            await assertStatus(.unknown, "Exception calling application: To be removed") {
                try await link.appIo(FlwrServerAppIo.getFederationOptions, options)
            }
            let health = try XCTUnwrap(link.healthChannel)
            await assertStatus(.unimplemented, "Watch is not implemented") {
                for try await _ in health.serverStreaming(
                    GrpcHealthV1Health.watch.path, request: GrpcHealthV1HealthCheckRequest().serializedBytes(),
                    timeout: .seconds(10))
                {}
            }
            var hub = FlwrStartRunRequest()
            hub.appSpec = "@a/b"
            await assertStatus(.failedPrecondition, .any) { try await link.control(FlwrControl.startRun, hub) }
        }
    }
}
