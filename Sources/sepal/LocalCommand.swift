import Foundation

/// `sepal local status|stop`: find the Flower CLI's local SuperLink of a `FLWR_HOME` through its
/// pid file (`LocalPidFile`) and report or stop it. Flower has no such command.
enum LocalCommand {
    static let usage = "usage: sepal local {status,stop} [--flwr-home DIR] [--timeout SECONDS]"

    static func run(arguments: [String]) -> Never {
        var rest = arguments[...]
        guard let action = rest.popFirst(), action == "status" || action == "stop" else {
            if arguments.first == "-h" || arguments.first == "--help" {
                print(usage + """


                Report or stop the local SuperLink that `flwr run` starts for `:local:` and
                `:local-in-memory:` connections (pid file $FLWR_HOME/local-superlink/superlink.pid).

                  status   print its PID and addresses; exit 0 if it runs, 3 if not
                  stop     SIGTERM it (it stops its SuperExec and apps), wait, SIGKILL after --timeout (15 s)
                """)
                exit(0)
            }
            FileHandle.standardError.write(Data((usage + "\nsepal local: error: expected `status` or `stop`\n").utf8))
            exit(usageStatus)
        }
        var home = FlowerHome.path
        var timeout = 15.0
        while let flag = rest.popFirst() {
            switch flag {
            case "--flwr-home":
                guard let v = rest.popFirst() else { usageError("--flwr-home needs a directory") }
                home = v
            case "--timeout":
                guard let v = rest.popFirst(), let t = Double(v), t > 0 else { usageError("--timeout needs seconds > 0") }
                timeout = t
            default:
                usageError("unrecognized argument: \(flag)")
            }
        }
        let path = LocalPidFile.path(flwrHome: home)
        switch action {
        case "status": status(path, home: home)
        default: stop(path, home: home, timeout: timeout)
        }
    }

    private static func usageError(_ message: String) -> Never {
        FileHandle.standardError.write(Data((usage + "\nsepal local: error: \(message)\n").utf8))
        exit(usageStatus)
    }

    private static func describe(_ c: LocalPidFile.Contents?) -> String {
        guard let c else { return "starting" }
        var parts = ["pid \(c.pid)"]
        if let v = c.field("control") { parts.append("Control API \(v)") }
        if let v = c.field("serverappio") { parts.append("ServerAppIo API \(v)") }
        if let v = c.field("database") { parts.append("database \(v)") }
        return parts.joined(separator: ", ")
    }

    /// Exit 0 when running, 3 when not (as `systemctl status` / LSB init scripts do).
    private static func status(_ path: String, home: String) -> Never {
        switch LocalPidFile.status(path) {
        case .running(let contents):
            print("Local SuperLink for FLWR_HOME=\(home) is running: \(describe(contents))")
            exit(0)
        case .notRunning:
            print("No local SuperLink is running for FLWR_HOME=\(home)")
            exit(3)
        }
    }

    private static func stop(_ path: String, home: String, timeout: Double) -> Never {
        guard case .running(let contents) = LocalPidFile.status(path) else {
            print("No local SuperLink is running for FLWR_HOME=\(home)")
            exit(0)
        }
        guard let pid = contents?.pid ?? waitForPid(path) else {
            FileHandle.standardError.write(Data("sepal local: the local SuperLink holds \(path) but wrote no PID\n".utf8))
            exit(1)
        }
        kill(pid, SIGTERM)
        // Stopped means the lock is free: the SuperLink has exited, after stopping its SuperExec
        // (which stops every app's process group).
        if waitUntilNotRunning(path, seconds: timeout) {
            print("Stopped the local SuperLink (pid \(pid)) for FLWR_HOME=\(home)")
            exit(0)
        }
        kill(pid, SIGKILL)
        if waitUntilNotRunning(path, seconds: 5) {
            print("Killed the local SuperLink (pid \(pid)) for FLWR_HOME=\(home): it did not stop within \(timeout) s")
            exit(0)
        }
        FileHandle.standardError.write(Data("sepal local: pid \(pid) still holds \(path)\n".utf8))
        exit(1)
    }

    private static func waitForPid(_ path: String) -> Int32? {
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            if case .running(let c?) = LocalPidFile.status(path) { return c.pid }
            usleep(20_000)
        }
        return nil
    }

    private static func waitUntilNotRunning(_ path: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if case .notRunning = LocalPidFile.status(path) { return true }
            usleep(20_000)
        }
        return false
    }
}
