import Foundation
import SuperExec

/// `sepal superexec` (also run as `flower-superexec`): launches ServerApps for pending runs.
enum SuperExecCommand {
    static func run(program: String, arguments: [String]) -> Never {
        var p = ArgumentParser(program: program, summary: "Start a Flower SuperExec (Sepal)")
        p.flag("-h", "--help", help: "show this help message and exit")
        p.flag("-V", "--version", help: "show program's version number and exit")
        p.option("--appio-api-address", metavar: "APPIO_API_ADDRESS", help: "Address of the AppIo API (ServerAppIo for `serverapp`).")
        p.option("--plugin-type", metavar: "PLUGIN_TYPE", choices: ["clientapp", "serverapp", "simulation"], help: "The type of plugin to use.")
        p.flag("--insecure", help: "Connect to the AppIo API without TLS (required: TLS is not supported yet).")
        p.option("--parent-pid", metavar: "PARENT_PID", help: "Exit when the process with this PID exits.")
        p.option("--health-server-address", metavar: "HEALTH_SERVER_ADDRESS", help: "Health service gRPC server address with no TLS.")
        let args: ArgumentParser.Values
        do {
            args = try p.parse(arguments)
        } catch {
            exitWithUsageError(usage: p.usage, program: program, error.description)
        }
        if args.has("-h") { print(p.help); exit(0) }
        if args.has("-V") { print(SepalVersion.banner); exit(0) }
        guard let appIo = args.string("--appio-api-address"), let plugin = args.string("--plugin-type") else {
            exitWithUsageError(
                usage: p.usage, program: program, "the following arguments are required: --appio-api-address, --plugin-type")
        }
        guard args.has("--insecure") else {
            exitWithError(.tlsNotSupported, "SuperExec does not support TLS yet.")
        }
        guard let address = Address.normalise(appIo) else {
            exitWithError(.addressInvalid, "Address (\(appIo)) cannot be parsed.")
        }
        var pluginType = plugin
        if plugin == "simulation" {
            Log.shared.warning("`--plugin-type simulation` is deprecated; using `serverapp` (it launches simulation runs too).")
            pluginType = "serverapp"
        }
        guard pluginType == "serverapp" else {
            exitWithError(.invalidArgs, "Sepal's SuperExec supports `--plugin-type serverapp` only; run Flower's flower-superexec for ClientApps.")
        }

        let exec = SuperExec(configuration: .init(appIoAddress: address)) { Log.shared.info($0) }
        let loop = Task.detached { await exec.run() }
        let launcher = exec.launcher
        Signals.onTermination { signal in
            loop.cancel()
            launcher.terminateAll(grace: .seconds(3))
            exit(signal.exitCode.processStatus)
        }
        if let parent = args.string("--parent-pid").flatMap({ Int32($0) }) {
            ParentWatch.exitWhenGone(parent) {
                loop.cancel()
                launcher.terminateAll(grace: .seconds(3))
                exit(ExitCode.sigint.processStatus)
            }
        }
        Log.shared.info("SuperExec polling \(address) for ServerApps to launch")
        dispatchMain()
    }
}

/// `--parent-pid`: polls every 0.2 s and acts once the parent is gone.
enum ParentWatch {
    static func exitWhenGone(_ pid: Int32, _ action: @escaping @Sendable () -> Void) {
        let t = Thread {
            while kill(pid, 0) == 0 || errno == EPERM {
                usleep(200_000)
            }
            action()
        }
        t.start()
    }
}
