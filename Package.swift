// swift-tools-version:6.0
// Sepal: Flower's federated-learning runtime in Swift. Layers, lowest first; each target
// depends only on targets above it in this list (see README "Architecture").
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Sepal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sepal", targets: ["sepal"]),
        .executable(name: "sepal-fleet-load", targets: ["sepal-fleet-load"]),
        .executable(name: "protogen", targets: ["protogen"]),
    ],
    targets: [
        // C system libraries (Debian packages), each behind a tiny shim header.
        .systemLibrary(name: "CGRPC", path: "Sources/CGRPC", providers: [.apt(["libgrpc-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CNettle", path: "Sources/CNettle", providers: [.apt(["nettle-dev", "libgmp-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSSL", path: "Sources/CSSL", providers: [.apt(["libssl-dev"])]),

        // Flower's ISO-8601 timestamps (`datetime.isoformat()`, SQLite's `%f` form) and parsing.
        .target(name: "FlowerTime", swiftSettings: strict),

        // Protobuf wire codec, generated Flower messages, and the generator.
        .target(name: "ProtoWire", swiftSettings: strict),
        .target(name: "FlowerProto", dependencies: ["ProtoWire"], swiftSettings: strict),
        .target(name: "ProtoCodegen", dependencies: ["ProtoWire"], swiftSettings: strict),
        .executableTarget(name: "protogen", dependencies: ["ProtoCodegen"], swiftSettings: strict),

        // gRPC over the C core: bytes and status codes only, no Flower knowledge.
        .target(name: "RPC", dependencies: ["CGRPC"], swiftSettings: strict),
        // HTTP/1.1 server over POSIX sockets and libssl: requests and responses only, no Flower.
        .target(name: "HTTP", dependencies: ["CSSL"], swiftSettings: strict),

        // SQLite wrapper and migrator.
        .target(name: "SQL", dependencies: ["CSQLite"], swiftSettings: strict),
        // Helper spawned by SQLTests' process storm (many processes bootstrapping one file).
        .executableTarget(name: "sql-bootstrap-probe", dependencies: ["SQL"], swiftSettings: strict),

        // Node-auth cryptography (ECDSA P-384 over PEM SPKI keys; Nettle verifies, OpenSSL parses
        // and signs) and FAB handling.
        .target(name: "NodeCrypto", dependencies: ["CCrypto", "CNettle", "FlowerTime"], swiftSettings: strict),
        .target(name: "FAB", dependencies: ["CZlib", "CCrypto"], exclude: ["README.md"], swiftSettings: strict),

        // State: objects, then runs/nodes/messages/tokens/logs.
        .target(name: "ObjectStore", dependencies: ["SQL", "CCrypto"], swiftSettings: strict),
        .target(name: "LinkState", dependencies: ["SQL", "ObjectStore", "FlowerTime"], swiftSettings: strict),

        // Flower servicers: the only layer that sees both RPC and the stores.
        .target(
            name: "SuperLink",
            dependencies: [
                "RPC", "HTTP", "FlowerProto", "ProtoWire", "LinkState", "ObjectStore", "NodeCrypto", "FAB", "FlowerTime",
            ],
            swiftSettings: strict),
        .target(name: "SuperExec", dependencies: ["RPC", "FlowerProto", "ProtoWire"], swiftSettings: strict),

        // Executables.
        .executableTarget(
            name: "sepal", dependencies: ["SuperLink", "SuperExec", "LinkState", "SQL", "RPC"],
            swiftSettings: strict,
            // Release: the Swift runtime and Foundation linked in statically. Loading them as ~10
            // shared libraries costs ~5 MB of resident pages at start (relocations, symbol
            // lookup, runtime metadata scans across every image); dead-stripped into one image the
            // idle SuperLink stays under 30 MB RSS (docs/benchmarks.md).
            linkerSettings: [
                .unsafeFlags(["-static-stdlib", "-use-ld=lld"], .when(configuration: .release)),
                // What the static Foundation needs besides its own autolink entries (modules here
                // are compiled against the shared SDK, whose entries omit these).
                .linkedLibrary("CoreFoundation", .when(configuration: .release)),
                .linkedLibrary("_FoundationICU", .when(configuration: .release)),
                .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
                .linkedLibrary("_FoundationCollections", .when(configuration: .release)),
                .linkedLibrary("stdc++", .when(configuration: .release)),
            ]),
        .executableTarget(
            name: "sepal-fleet-load",
            dependencies: ["RPC", "FlowerProto", "ProtoWire", "NodeCrypto", "FlowerTime"],
            swiftSettings: strict),

        // Tests, one target per layer, and the helpers they share (async assertions, offPool,
        // eventually, TestClock, TempFiles); a library only test targets depend on.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ProtoWireTests", dependencies: ["ProtoWire"], swiftSettings: strict),
        .testTarget(
            name: "FlowerProtoTests", dependencies: ["FlowerProto", "ProtoWire", "ProtoCodegen"], swiftSettings: strict),
        .testTarget(name: "RPCTests", dependencies: ["RPC", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "CSSL", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SQLTests", dependencies: ["SQL"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "FlowerTimeTests", dependencies: ["FlowerTime"], swiftSettings: strict),
        .testTarget(name: "NodeCryptoTests", dependencies: ["NodeCrypto", "FlowerTime"], swiftSettings: strict),
        .testTarget(name: "FABTests", dependencies: ["FAB"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "SQL", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "LinkStateTests", dependencies: ["LinkState", "ObjectStore", "SQL", "FlowerTime", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "SuperExecTests", dependencies: ["SuperExec"], swiftSettings: strict),
        .testTarget(name: "SepalTests", dependencies: ["sepal"], swiftSettings: strict),
        .testTarget(
            name: "SuperLinkTests",
            dependencies: [
                "SuperLink", "RPC", "FlowerProto", "ProtoWire", "LinkState", "ObjectStore", "NodeCrypto", "FAB", "FlowerTime",
                "TestSupport",
            ],
            swiftSettings: strict),
    ]
)
