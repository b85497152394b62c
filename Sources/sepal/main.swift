import Foundation

// One binary, several commands. Called as `flower-superlink` or `flower-superexec` (a symlink),
// it behaves exactly as `sepal superlink` / `sepal superexec`, so Flower's CLI can start it.
ProcessHygiene.apply()
let argv = CommandLine.arguments
let invokedAs = (argv.first as NSString?)?.lastPathComponent ?? "sepal"

switch invokedAs {
case "flower-superlink":
    SuperLinkCommand.run(program: invokedAs, arguments: Array(argv.dropFirst()))
case "flower-superexec":
    SuperExecCommand.run(program: invokedAs, arguments: Array(argv.dropFirst()))
default:
    let rest = Array(argv.dropFirst())
    switch rest.first {
    case "superlink":
        SuperLinkCommand.run(program: "sepal superlink", arguments: Array(rest.dropFirst()))
    case "superexec":
        SuperExecCommand.run(program: "sepal superexec", arguments: Array(rest.dropFirst()))
    case "local":
        LocalCommand.run(arguments: Array(rest.dropFirst()))
    case "install":
        InstallCommand.run(arguments: Array(rest.dropFirst()))
    case "--version", "-V", "version":
        print(SepalVersion.banner)
    case nil, "-h", "--help", "help":
        print("""
        usage: sepal <command> [options]

        Sepal: Flower's SuperLink in one native binary (speaks Flower \(SepalVersion.flowerCompatibility)).

        commands:
          superlink   Start a SuperLink (drop-in for `flower-superlink`; same flags)
          superexec   Start a SuperExec that launches ServerApps (drop-in for `flower-superexec`)
          install     Link `flower-superlink`/`flower-superexec` to Sepal in a directory (--bin-dir DIR)
          local       Report or stop the Flower CLI's local SuperLink (status|stop [--flwr-home DIR])

        Run `sepal <command> --help` for the command's flags.
        """)
    default:
        FileHandle.standardError.write(Data("sepal: unknown command '\(rest[0])' (try `sepal --help`)\n".utf8))
        exit(usageStatus)
    }
}
