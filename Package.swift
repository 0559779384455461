// swift-tools-version:6.0
// Strata: a distributed context store for LLM agents.
//
// Module layering (arrows point down only): C targets at the leaves, pure logic in the
// middle, shells on top, thin executables last. See docs/architecture.md.
import PackageDescription

/// gRPC core is linked explicitly: `pkgConfig: "grpc"` expands the abseil chain into flags
/// SwiftPM refuses (see shared/design/grpc-core-notes.md).
let grpcLinker: [LinkerSetting] = [.linkedLibrary("grpc"), .linkedLibrary("gpr")]

/// libFuzzer targets (Fuzz/): ordinary executables that replay files through their target in a
/// normal build, and run libFuzzer when built with `-sanitize=fuzzer` (scripts/fuzz.sh).
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-wire", ["StrataWire", "StrataRPC"]),
    ("fuzz-store", ["StrataStore", "StrataCore", "CStrataSupport"]),
    ("fuzz-text", ["StrataText", "StrataCore"]),
    ("fuzz-config", ["StrataCore"]),
    ("fuzz-auth", ["StrataAuth"]),
    ("fuzz-warm", ["StrataStore", "StrataCore"]),
]

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "strata-worker", targets: ["strata-worker"]),
        .executable(name: "strata-coordinator", targets: ["strata-coordinator"]),
        .executable(name: "strata", targets: ["strata"]),
        .executable(name: "strata-mcp", targets: ["strata-mcp"]),
        .executable(name: "strata-bench", targets: ["strata-bench"]),
    ] + fuzzTargets.map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
    ],
    targets: [
        // MARK: C leaves
        .target(
            name: "CStrataProto",
            path: "Sources/CStrataProto",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        .target(
            name: "CStrataRPC",
            path: "Sources/CStrataRPC",
            linkerSettings: grpcLinker
        ),
        .target(
            name: "CStrataCrypto",
            path: "Sources/CStrataCrypto",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(name: "CStrataFiles", path: "Sources/CStrataFiles"),
        .target(
            name: "CStrataSupport",
            path: "Sources/CStrataSupport",
            linkerSettings: [.linkedLibrary("xxhash"), .linkedLibrary("zstd")]
        ),
        // OpenBLAS is opened with dlopen (see strata_blas_load), so only libdl is linked.
        .target(
            name: "CStrataEmbed",
            path: "Sources/CStrataEmbed",
            cSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("dl")]
        ),

        // MARK: Pure logic and libraries
        .target(name: "StrataCore", dependencies: ["CStrataFiles"]),
        .target(name: "StrataRPC", dependencies: ["CStrataRPC", "CStrataCrypto", "StrataCore"]),
        .target(name: "StrataAuth", dependencies: ["StrataCore", "CStrataCrypto"]),
        .target(name: "StrataWire", dependencies: ["CStrataProto", "StrataCore", "StrataRPC"]),
        .target(name: "StrataText", dependencies: ["StrataCore"]),
        .target(name: "StrataStore", dependencies: ["StrataCore", "CStrataSupport"]),
        .target(name: "StrataSearch", dependencies: ["StrataCore", "CStrataSupport"]),
        .target(name: "StrataCluster", dependencies: ["StrataCore"]),
        .target(name: "StrataEtcd", dependencies: ["CStrataProto", "StrataCore", "StrataRPC", "StrataWire"]),
        .target(name: "StrataControlPlane", dependencies: ["StrataCore", "StrataEtcd"]),
        .target(name: "StrataEmbed", dependencies: ["StrataCore", "CStrataEmbed"]),
        .target(
            name: "StrataMetrics",
            dependencies: [
                "StrataCore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // MARK: Shells
        .target(
            name: "StrataNode",
            dependencies: [
                "StrataCore", "StrataRPC", "StrataWire", "StrataStore", "StrataCluster", "StrataText", "StrataSearch",
                "StrataEmbed", "StrataMetrics", "StrataAuth", "StrataEtcd", "StrataControlPlane", "CStrataSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Clients (what agents and the CLI use to talk to a cluster)
        .target(
            name: "StrataClient",
            dependencies: ["StrataCore", "StrataRPC", "StrataWire", "StrataText", "CStrataSupport"]
        ),
        .target(
            name: "StrataMCP",
            dependencies: [
                "StrataCore", "StrataRPC", "StrataWire", "StrataClient",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        .target(
            name: "StrataCLIOptions",
            dependencies: ["StrataRPC", "StrataClient", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: Executables (thin mains)
        .executableTarget(
            name: "strata-worker",
            dependencies: ["StrataNode", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "strata-coordinator",
            dependencies: ["StrataNode", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataCore", "StrataRPC", "StrataWire", "StrataText", "StrataCluster", "StrataClient", "StrataCLIOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `strata mcp` runs it: the MCP SDK (FoundationNetworking, libcurl) stays out of `strata`.
        .executableTarget(
            name: "strata-mcp",
            dependencies: [
                "StrataClient", "StrataCLIOptions", "StrataMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "strata-bench",
            dependencies: [
                "StrataCore", "StrataRPC", "StrataWire", "StrataNode", "StrataCluster", "StrataText", "StrataStore", "StrataSearch", "StrataClient", "StrataEmbed",
                "StrataEtcd", "StrataControlPlane",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .target(name: "StrataTestSupport", dependencies: ["StrataCore", "StrataEtcd"], path: "Tests/StrataTestSupport"),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore"]),
        .testTarget(name: "StrataRPCTests", dependencies: ["StrataRPC", "StrataWire", "StrataTestSupport"]),
        .testTarget(name: "StrataWireTests", dependencies: ["StrataRPC", "StrataWire", "StrataTestSupport"]),
        .testTarget(name: "StrataTextTests", dependencies: ["StrataText", "StrataTestSupport"]),
        .executableTarget(name: "strata-store-crash-child", dependencies: ["StrataStore"], path: "Tests/StrataStoreCrashChild"),
        .testTarget(name: "StrataStoreTests", dependencies: ["StrataStore", "StrataTestSupport", "strata-store-crash-child"]),
        .testTarget(name: "StrataSearchTests", dependencies: ["StrataSearch", "StrataText", "StrataTestSupport"]),
        .testTarget(name: "StrataNodeTests", dependencies: ["StrataNode", "StrataWire", "StrataRPC", "StrataStore", "StrataSearch", "StrataTestSupport"]),
        .testTarget(name: "StrataClusterTests", dependencies: ["StrataCluster", "StrataTestSupport"]),
        .testTarget(name: "StrataMetricsTests", dependencies: ["StrataMetrics"]),
        .testTarget(name: "StrataEtcdTests", dependencies: ["StrataEtcd", "CStrataProto", "StrataRPC", "StrataTestSupport"]),
        .testTarget(name: "StrataControlPlaneTests", dependencies: ["StrataControlPlane", "StrataEtcd", "StrataTestSupport"]),
        .testTarget(name: "StrataClientTests", dependencies: ["StrataClient", "StrataCore", "StrataWire", "StrataStore", "StrataText", "StrataTestSupport"]),
        .testTarget(name: "StrataMCPTests", dependencies: ["StrataMCP", "StrataClient", "StrataWire", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(name: "StrataEmbedTests", dependencies: ["StrataEmbed", "StrataTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "StrataAuthTests", dependencies: ["StrataAuth", "StrataTestSupport"]),
        .testTarget(
            name: "StrataFuzzRegressionTests",
            dependencies: ["StrataTestSupport"] + fuzzTargets.map { .target(name: $0.name) }
        ),

        // MARK: Fuzz targets
        .target(name: "CStrataFuzz", path: "Fuzz/CStrataFuzz"),
        .target(name: "StrataFuzzSupport", dependencies: ["CStrataFuzz"], path: "Fuzz/StrataFuzzSupport"),
    ] + fuzzTargets.map {
        .executableTarget(name: $0.name, dependencies: ["StrataFuzzSupport"] + $0.dependencies, path: "Fuzz/\($0.name)")
    },
    swiftLanguageModes: [.v6]
)
