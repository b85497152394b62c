import SuperExec
import XCTest

/// What the SuperExec adds to an app's environment (the fork-crash workaround; the interop test
/// `test_apps_fork_safely_next_to_grpc` shows the crash it prevents).
final class AppEnvironmentTests: XCTestCase {
    func testAppsGetGRPCForkSupportOff() {
        XCTAssertEqual(
            SuperExec.appEnvironment(inherited: ["PATH": "/usr/bin"]), ["GRPC_ENABLE_FORK_SUPPORT": "false"])
    }

    func testAUserChosenForkSupportSettingIsKept() {
        for value in ["1", "true", "false", ""] {
            XCTAssertEqual(SuperExec.appEnvironment(inherited: ["GRPC_ENABLE_FORK_SUPPORT": value]), [:], value)
        }
    }
}
