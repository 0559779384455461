// swift-tools-version:6.0
// Strata: a distributed context store for LLM agents.
//
// Module layering (arrows point down only): C targets at the leaves, pure logic in the
// middle, shells on top, thin executables last. See docs/architecture.md.
import PackageDescription

#if os(Linux)
import Foundation
#endif

/// gRPC core is linked explicitly: `pkgConfig: "grpc"` expands the abseil chain into flags
/// SwiftPM refuses (see shared/design/grpc-core-notes.md).
let grpcLinker: [LinkerSetting] = [.linkedLibrary("grpc"), .linkedLibrary("gpr")]

/// `strata` runs as a new process per command, so its start is part of every command's time
/// (docs/benchmarks.md, section 9): dynamically linked, it loads 72 shared libraries (14 of the
/// Swift runtime and Foundation with ICU, gRPC core with its 40 abseil libraries, ...) and the
/// loader's symbol look-ups across all of them cost more than the call itself. In release
/// builds on Linux it links the Swift runtime and Foundation statically (`-static-stdlib`, for
/// this product only) and gRPC core with its dependencies from their static archives, when the
/// system has them (Debian's libgrpc-dev does); the other executables, debug builds and the
/// tests link as before.
let cliStaticLinking = CLIStaticLinking()

struct CLIStaticLinking {
    var swiftSettings: [SwiftSetting] = []
    var linkerSettings: [LinkerSetting] = []

    init() {
        #if os(Linux)
        let release = BuildSettingCondition.when(platforms: [.linux], configuration: .release)
        // Foundation's static archives name each other in an order the linker cannot follow
        // in one pass: a group lets it go round until everything is resolved.
        let foundation = ["Foundation", "FoundationEssentials", "FoundationInternationalization", "_FoundationICU",
                          "_FoundationCShims", "_FoundationCollections", "CoreFoundation"]
        var flags = ["-static-stdlib", "-Xlinker", "--start-group"] + foundation.map { "-l\($0)" } + ["-Xlinker", "--end-group"]
        if let archives = Self.staticArchives(of: ["grpc", "libprotobuf-c", "libxxhash", "libzstd"]) {
            // The C targets name the shared libraries (`-lgrpc`, `-lcrypto`, ...), and the
            // driver puts those before any flag given here. A folder searched first holds a
            // linker script per such name that links the static archive instead; what the
            // archives need comes after, as a group.
            flags += ["-L\(Context.packageDirectory)/Sources/strata/StaticLibraries", "-Xlinker", "--start-group"]
                + archives.flatMap { ["-Xlinker", $0] } + ["-Xlinker", "--end-group"]
        }
        swiftSettings = [.unsafeFlags(["-static-stdlib"], release)]
        linkerSettings = [.unsafeFlags(flags, release)]
        #endif
    }

    #if os(Linux)
    /// The static archives (full paths) of the pkg-config packages and everything they need,
    /// in link order, without the C library's own (libm, libdl, librt, libpthread, libatomic);
    /// nil when pkg-config fails or any archive is missing.
    static func staticArchives(of packages: [String]) -> [String]? {
        guard let names = pkgConfig(["--static", "--libs-only-l"] + packages)?.split(separator: " ").map({ $0.dropFirst(2) }) else { return nil }
        #if arch(arm64)
        let multiarch = "/usr/lib/aarch64-linux-gnu"
        #else
        let multiarch = "/usr/lib/x86_64-linux-gnu"
        #endif
        let directories = packages.compactMap { pkgConfig(["--variable=libdir", $0]) } + ["/usr/local/lib", multiarch, "/usr/lib64", "/usr/lib"]
        let system: Set<Substring> = ["m", "dl", "rt", "pthread", "atomic", "c"]
        var archives: [String] = []
        for name in names where !system.contains(name) {
            guard let archive = directories.lazy.map({ "\($0)/lib\(name).a" }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                return nil
            }
            if !archives.contains(archive) { archives.append(archive) }
        }
        return archives.isEmpty ? nil : archives
    }

    static func pkgConfig(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pkg-config"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #endif
}

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
            ],
            exclude: ["StaticLibraries"],
            swiftSettings: cliStaticLinking.swiftSettings,
            linkerSettings: cliStaticLinking.linkerSettings
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
        .testTarget(name: "StrataCLITests", dependencies: ["strata", "StrataCLIOptions", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
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
