import ArgumentParser
import Foundation

/// `strata-bench cluster`: a real cluster on loopback -- 1 coordinator and 3 workers as child
/// processes, R = 2 -- measured end to end: ingest throughput of a real corpus through the
/// coordinator, query latency (lexical and hybrid top-10 + 8K-token assembly), and the time to
/// restore full replication after one worker is killed with SIGKILL.
struct ClusterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "1 coordinator + 3 workers on loopback (R = 2): ingest tokens/s, query p50/p99, recovery time after a worker's SIGKILL.",
        discussion: """
            The binaries strata-coordinator and strata-worker are taken from the folder strata-bench is in \
            (build them with swift build -c release). The corpus is Python's standard library (.py files, without \
            tests and installed packages); when --tokens asks for more, a synthetic tail (documents under synthetic/, \
            labelled as such in the output) makes up the rest. With --dimension > 0 (384 by default) the documents are \
            chunked on the client and every chunk carries a SYNTHETIC clustered vector (seeded, as in strata-bench search; \
            no embedding model runs), so hybrid queries can be measured; --dimension 0 ingests plain text and measures \
            lexical queries only.
            """)

    @Option(help: "Tokens to ingest (as counted by the namespace's tokenizer).") var tokens: Int = 10_000_000
    @Option(help: "Timed queries per mode after the warm-up (at least 200).") var queries: Int = 300
    @Option(help: "Dimension of the synthetic chunk vectors (0: plain text, lexical queries only).") var dimension: Int = 384
    @Option(help: "Warm-up queries (not timed).") var warmup: Int = 30
    @Option(help: "Concurrent Ingest streams.") var streams: Int = 2
    @Option(help: "Bytes of document text per Ingest message.") var batchBytes: Int = 2 << 20
    @Option(help: "Namespace tokenizer: cl100k_base, o200k_base or estimate.") var tokenizer: String = "cl100k_base"
    @Option(help: "Python whose standard library is the corpus.") var python: String = "python3"
    @Option(help: "Folder for the nodes' data directories (removed at the end).") var workDir: String = NSTemporaryDirectory()
    @Option(help: "A setting for every node, key=value (repeatable), e.g. coordinator.heartbeat_interval_ms=100.") var nodeSet: [String] = []
    @Flag(help: "Print the nodes' logs when something fails.") var showLogs = false

    func validate() throws {
        guard tokens >= 10_000 else { throw ValidationError("--tokens must be at least 10000") }
        guard queries >= 200 else { throw ValidationError("--queries must be at least 200") }
        guard (0...4096).contains(dimension) else { throw ValidationError("--dimension must be 0 to 4096") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard nodeSet.allSatisfy({ $0.contains("=") }) else { throw ValidationError("--node-set takes key=value") }
        guard (1...16).contains(streams) else { throw ValidationError("--streams must be 1 to 16") }
        guard (64 << 10 ... 12 << 20).contains(batchBytes) else { throw ValidationError("--batch-bytes must be 64 KiB to 12 MiB") }
        guard ["cl100k_base", "o200k_base", "estimate"].contains(tokenizer) else {
            throw ValidationError("--tokenizer must be cl100k_base, o200k_base or estimate")
        }
    }

    func run() async throws {
        let nodes = try ChildNodes(workDir: workDir)
        defer { nodes.stopAll() }  // every child, also on errors; removes data and warm tiers
        do {
            try await measure(nodes)
        } catch {
            if showLogs { nodes.printLogs() }
            throw error
        }
    }

    private func measure(_ nodes: ChildNodes) async throws {
        print("# strata-bench cluster: 1 coordinator + 3 workers on loopback, R = 2, \(ProcessInfo.processInfo.activeProcessorCount) cores shared by all")
        let extra = nodeSet.flatMap { ["--set", $0] }
        try nodes.startCoordinator(settings: Self.coordinatorSettings + extra)
        for _ in 0..<3 { try nodes.startWorker(settings: extra) }
        let client = ClusterClient(address: nodes.coordinatorAddress)
        try await client.waitFullyReplicated(workers: 3, timeout: .seconds(60))
        print("# coordinator \(nodes.coordinatorAddress), workers \(nodes.workers.map(\.address).joined(separator: ", "))")
        print("# coordinator settings: \((Self.coordinatorSettings + extra).joined(separator: " ")); workers: \(extra.isEmpty ? "defaults" : extra.joined(separator: " "))\n")

        let corpus = try ClusterCorpus(python: python, targetTokens: tokens,
                                       vectors: dimension > 0 ? SyntheticVectors(dimension: dimension) : nil)
        let ingest = try await ingestCorpus(corpus, client: client)
        let lexical = try await queryLatency(corpus: corpus, client: client, mode: .lexical)
        let hybrid = dimension > 0 ? try await queryLatency(corpus: corpus, client: client, mode: .hybrid) : nil
        let recovery = try await Self.measureRecovery(nodes: nodes, client: client)

        print("| measurement | figure | target |")
        print("|---|---:|---|")
        print("| ingest tokens/s (\(ingest.tokens) tokens, \(ingest.documents) documents) | \(format(ingest.tokensPerSecond, 0)) | ≥ 1,000,000 \(ingest.tokensPerSecond >= 1_000_000 ? "met" : "NOT met") |")
        print("| ingest chunks/s (\(ingest.chunks) chunks) | \(format(ingest.chunksPerSecond, 0)) | |")
        print("| ingest wall time | \(format(ingest.seconds, 2)) s | |")
        for (name, latency) in [("lexical", lexical), ("hybrid", hybrid)] {
            guard let latency else { continue }
            print("| query p50, \(name) top-10 + 8K-token assembly (\(latency.calls) queries) | \(format(latency.p50Microseconds / 1000, 2)) ms | |")
            print("| query p99, \(name) | \(format(latency.p99Microseconds / 1000, 2)) ms | ≤ 25 ms \(latency.p99Microseconds <= 25_000 ? "met" : "NOT met") |")
        }
        print("| failure confirmed (dead) after the SIGKILL | \(format(recovery.detectionSeconds, 2)) s | |")
        print("| full replication restored after the failure was confirmed | \(format(recovery.restoreSeconds, 2)) s | ≤ 30 s \(recovery.restoreSeconds <= 30 ? "met" : "NOT met") |")
        print("| full replication restored after the SIGKILL | \(format(recovery.detectionSeconds + recovery.restoreSeconds, 2)) s | |")
        print("\nCorpus: \(corpus.description).")
        if dimension > 0 {
            print("Vectors: SYNTHETIC \(dimension)-d clustered vectors (256 seeded centres + seeded noise, no embedding model), one per client-side chunk; "
                  + "hybrid queries pair each query text with a synthetic vector from the cluster of the document the text came from. "
                  + "Queries are top-10 with an 8,192-token assembly; lexical is BM25, hybrid fuses BM25 and the INT8 vector scan with rescoring.")
        } else {
            print("Queries are lexical (BM25) top-10 with an 8,192-token assembly; --dimension 0 ingested no vectors, so no hybrid row.")
        }
    }

    /// Failure detection as in scripts/demo.sh: a worker is suspect after 1 s of silence and
    /// dead after 3 s.
    static let coordinatorSettings = ["--set", "coordinator.suspect_after_ms=1000", "--set", "coordinator.dead_after_ms=3000"]
}
