import Foundation

/// `sepal install --bin-dir DIR`: symlinks `sepal`, `flower-superlink` and `flower-superexec` to
/// this binary in DIR, so a `PATH` with DIR first makes the Flower CLI (which runs
/// `flower-superlink` for `:local:` connections) and Flower's scripts start Sepal, and
/// `sepal local status|stop` work by name.
enum InstallCommand {
    static let usage = "usage: sepal install --bin-dir DIR [--force]"
    static let names = ["sepal", "flower-superlink", "flower-superexec"]

    static func run(arguments: [String]) -> Never {
        var rest = arguments[...]
        var binDir: String?
        var force = false
        while let flag = rest.popFirst() {
            switch flag {
            case "--bin-dir":
                guard let v = rest.popFirst() else { usageError("--bin-dir needs a directory") }
                binDir = v
            case "--force": force = true
            case "-h", "--help":
                print(usage + """


                Creates DIR/sepal, DIR/flower-superlink and DIR/flower-superexec as symlinks to
                this sepal binary. Put DIR first on PATH and `flwr run` starts Sepal as its local SuperLink.
                An existing file of that name that is not already such a link is kept unless
                --force is given.
                """)
                exit(0)
            default: usageError("unrecognized argument: \(flag)")
            }
        }
        guard let binDir else { usageError("the following arguments are required: --bin-dir") }
        let target = SuperExecSupervisor.ownExecutable
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: binDir, withIntermediateDirectories: true)
        } catch {
            fail("cannot create \(binDir): \(error.localizedDescription)")
        }
        let resolvedTarget = URL(fileURLWithPath: target).resolvingSymlinksInPath().path
        for name in names {
            let link = (binDir as NSString).appendingPathComponent(name)
            let existing = try? fm.destinationOfSymbolicLink(atPath: link)
            // DIR is where this binary already is (e.g. .build/release): nothing to link.
            if existing == nil, URL(fileURLWithPath: link).resolvingSymlinksInPath().path == resolvedTarget {
                print("\(link) is this binary")
                continue
            }
            if let existing {
                if existing == target {
                    print("\(link) -> \(target) (already installed)")
                    continue
                }
                guard force else { fail("\(link) already links to \(existing); use --force to replace it") }
                try? fm.removeItem(atPath: link)
            } else if fm.fileExists(atPath: link) {
                guard force else { fail("\(link) already exists; use --force to replace it") }
                try? fm.removeItem(atPath: link)
            }
            do {
                try fm.createSymbolicLink(atPath: link, withDestinationPath: target)
            } catch {
                fail("cannot create \(link): \(error.localizedDescription)")
            }
            print("\(link) -> \(target)")
        }
        let absolute = URL(fileURLWithPath: binDir.hasPrefix("/") ? binDir : fm.currentDirectoryPath + "/" + binDir)
            .standardizedFileURL.path
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").first.map(String.init)
        if onPath != absolute {
            print("Put it first on PATH to use it: export PATH=\"\(absolute):$PATH\"")
        }
        exit(0)
    }

    private static func usageError(_ message: String) -> Never {
        FileHandle.standardError.write(Data((usage + "\nsepal install: error: \(message)\n").utf8))
        exit(usageStatus)
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("sepal install: \(message)\n".utf8))
        exit(1)
    }
}
