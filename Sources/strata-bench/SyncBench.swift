import ArgumentParser
import Foundation
import StrataClient
import StrataText
import StrataWire

/// `strata-bench sync`: directory sync against a real coordinator and worker on loopback --
/// the first sync of a generated tree, then repeated syncs of the unchanged tree (the case an
/// agent's editor hits on every save elsewhere), and a sync after one file changed.
struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "strata sync of a generated tree: first sync, unchanged re-syncs (target ≤ 1 s at 10,000 files), one-file change.",
        discussion: """
            The tree is generated (seeded): --files source-like text files of 200 to 3,000 bytes in 100 directories, with a \
            .gitignore that excludes a build/ directory the generator also fills. The binaries strata-coordinator and \
            strata-worker are taken from the folder strata-bench is in. An unchanged re-sync must send no document text: \
            the table shows the bytes it planned to send (0) and the figure is the median of --repeats runs.
            """)

    @Option(help: "Text files in the tree.") var files: Int = 10_000
    @Option(help: "Unchanged re-syncs to time.") var repeats: Int = 7
    @Option(help: "Folder for the tree and the nodes' data (removed at the end).") var workDir: String = NSTemporaryDirectory()

    func validate() throws {
        guard files >= 100 else { throw ValidationError("--files must be at least 100") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() async throws {
        let nodes = try ClusterBench.ChildNodes(workDir: workDir)
        defer { nodes.stopAll() }
        try nodes.startCoordinator(settings: ["--set", "coordinator.heartbeat_interval_ms=100"], replicas: 1)
        try nodes.startWorker(settings: ["--set", "coordinator.heartbeat_interval_ms=100"])
        let tree = nodes.root + "/tree"
        try Self.generate(tree: tree, files: files)
        let client = CoordinatorClient(address: nodes.coordinatorAddress, timeout: .seconds(120))
        try await Self.waitForWorker(client)
        _ = try await client.createNamespace(CreateNamespaceRequest(name: "bench", tokenizer: .estimate))
        let sync = DirectorySync(client: client, options: DirectorySync.Options(namespace: "bench", root: tree))
        print("# strata-bench sync: \(files) files, coordinator + 1 worker on loopback, \(ProcessInfo.processInfo.activeProcessorCount) cores shared by all\n")

        let first = try await sync.run()
        var unchanged: [Double] = []
        var planned: UInt64 = 0
        for _ in 0..<repeats {
            let outcome = try await sync.run()
            guard outcome.record.unchanged == UInt64(files) + 1, outcome.record.sent == 0 else {
                throw ClusterBench.BenchFailure("an unchanged re-sync planned \(outcome.record.toAdd) adds, \(outcome.record.toChange) changes, \(outcome.record.toDelete) deletes")
            }
            planned += outcome.record.bytesTotal
            unchanged.append(outcome.seconds)
        }
        // Where the time of an unchanged re-sync goes: the local scan and hashing, the listing.
        let clock = ContinuousClock()
        let scanStart = clock.now
        let local = try LocalTree.scan(root: tree, settings: .default)
        let scanSeconds = (clock.now - scanStart).seconds
        let listStart = clock.now
        let listed = try await client.allDocuments(namespace: "bench")
        let listSeconds = (clock.now - listStart).seconds
        try "// edited\n".appendLine(to: tree + "/dir-007/file-00007.swift")
        let oneChange = try await sync.run()

        let sorted = unchanged.sorted()
        print("| measurement | figure | target |")
        print("|---|---:|---|")
        print("| first sync (\(first.record.toAdd) documents, \(first.record.bytesTotal) bytes) | \(String(format: "%.2f", first.seconds)) s | |")
        print("| unchanged re-sync, median of \(repeats) | \(String(format: "%.3f", sorted[sorted.count / 2])) s | ≤ 1 s \(sorted[sorted.count / 2] <= 1 ? "met" : "NOT met") |")
        print("| unchanged re-sync, min / max | \(String(format: "%.3f", sorted.first!)) / \(String(format: "%.3f", sorted.last!)) s | |")
        print("| document text sent by unchanged re-syncs | \(planned) bytes | 0 |")
        print("| of which: scan + read + hash \(local.files.count) files | \(String(format: "%.3f", scanSeconds)) s | |")
        print("| of which: list \(listed.count) documents with hashes | \(String(format: "%.3f", listSeconds)) s | |")
        print("| re-sync after one file changed (sent \(oneChange.record.sent)) | \(String(format: "%.3f", oneChange.seconds)) s | |")
    }

    static func waitForWorker(_ client: CoordinatorClient) async throws {
        for _ in 0..<300 {
            if let status = try? await client.clusterStatus(), status.slotsUnavailable == 0, status.nodes.count >= 2 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterBench.BenchFailure("the worker did not join within 30 s")
    }

    /// A seeded tree of source-like files in 100 directories, plus an ignored build/ folder.
    static func generate(tree: String, files: Int) throws {
        var rng = SplitMix(seed: 42)
        let words = ["let", "var", "func", "return", "guard", "else", "struct", "replica", "slot", "token", "budget", "query",
                     "document", "chunk", "worker", "coordinator", "ingest", "status", "error", "value"]
        let fm = FileManager.default
        try fm.createDirectory(atPath: tree + "/build", withIntermediateDirectories: true)
        try "build/\n".write(toFile: tree + "/.gitignore", atomically: false, encoding: .utf8)
        for index in 0..<100 { try "ignored \(index)\n".write(toFile: tree + "/build/out-\(index).o.txt", atomically: false, encoding: .utf8) }
        for index in 0..<files {
            let directory = tree + String(format: "/dir-%03d", index % 100)
            if index < 100 { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let size = 200 + Int(rng.next() % 2800)
            var text = "// file \(index)\n"
            while text.utf8.count < size {
                text += (0..<8).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + "\n"
            }
            try text.write(toFile: directory + String(format: "/file-%05d.swift", index), atomically: false, encoding: .utf8)
        }
    }

    /// A small seeded generator (the tree is the same on every run).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

private extension String {
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
