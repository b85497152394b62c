import Foundation

// sepal-fleet-load: drives any SuperLink's Fleet API the way real SuperNodes do and prints
// throughput, latency, errors, and the server's CPU per call and RSS (from /proc of --server-pid).
// See `scripts/bench-fleet.sh` for the side-by-side run against Flower's own SuperLink.

let options = LoadOptions.parse(Array(CommandLine.arguments.dropFirst()))
if let seconds = options.verifyFloorSeconds {
    print(VerifyFloor.render(VerifyFloor.measure(seconds: seconds)))
    exit(0)
}
let report = await LoadRun(options: options).execute()
print(report.render(json: options.json))
exit(report.errors == 0 ? 0 : 1)
