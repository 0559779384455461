import ArgumentParser
import Foundation

/// `strata-bench service`: Strata as users run it -- a coordinator and 1 or 3 workers as child
/// processes on loopback -- measured on a chunk file from `strata-bench corpus`, with the
/// chunks' vectors supplied by the client (the same chunks and vectors `scripts/bench.sh`
/// gives Chroma, FAISS and bm25s). Prints a summary and writes every figure to `--json`.
///
/// 1. ingest of the pre-chunked documents with vectors, durable on W of R replicas;
/// 2. query latency of top-10 lexical, vector and hybrid queries (client wall time, and the
///    coordinator's own search time), with the ids of the chunks returned (for recall);
/// 3. context assembly under large token budgets;
/// 4. memory per tier (the nodes' tier counters) and the processes' resident memory;
/// 5. with `--restart`: a worker stopped and started again, without and with its warm tier;
///    with `--recovery`: a worker killed and the time until every slot has R replicas again.
struct ServiceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Coordinator + workers on loopback over a chunk file: ingest, top-10 queries, assembly, tiers, restart, recovery (JSON out).",
        discussion: "Build strata-coordinator and strata-worker next to strata-bench (swift build -c release). scripts/bench.sh runs this beside its peers.")

    @Option(help: "Chunk file (JSON lines) from strata-bench corpus.") var chunks: String
    @Option(help: "Use the chunk file's first documents up to this many tokens (0: all).") var limitTokens: Int = 0
    @Option(help: "Little-endian float32 rows, one per chunk of the chunk file (at least as many as used).") var vectors: String?
    @Option(help: "Vector dimension of --vectors.") var dimension: Int = 384
    @Option(help: "Queries (JSON lines: {\"text\": ..., \"vector\": [...]}); the first --warmup are not timed.") var queries: String?
    @Option(help: "Warm-up queries per mode (not timed).") var warmup: Int = 20
    @Option(help: "Comma-separated query modes to time: lexical, vector, hybrid.") var modes: String = "lexical,vector,hybrid"
    @Option(help: "Comma-separated token budgets of the context-assembly measurement (empty: none).") var assembly: String = ""
    @Option(help: "Assembly queries per budget (after 2 warm-up ones).") var assemblyQueries: Int = 20
    @Option(help: "Workers to start (1 to 8).") var workers: Int = 1
    @Option(help: "Replicas per slot (R).") var replicas: Int = 1
    @Option(help: "Concurrent Ingest streams.") var streams: Int = 2
    @Option(help: "Bytes of chunk text per Ingest message.") var batchBytes: Int = 2 << 20
    @Flag(help: "Stop a worker and start it again, without and then with a valid warm tier.") var restart = false
    @Flag(help: "SIGKILL a worker and time the restoration of R replicas (needs more workers than R).") var recovery = false
    @Option(help: "Seconds to wait for R replicas after the SIGKILL before reporting a failure.") var recoveryTimeout: Int = 300
    @Option(help: "Folder for the nodes' data directories (removed at the end).") var workDir: String = NSTemporaryDirectory()
    @Option(help: "A setting for every node, key=value (repeatable).") var nodeSet: [String] = []
    @Option(help: "Write every figure here as JSON.") var json: String?
    @Flag(help: "Print the nodes' logs when something fails.") var showLogs = false

    func validate() throws {
        guard (1...8).contains(workers) else { throw ValidationError("--workers must be 1 to 8") }
        guard (1...workers).contains(replicas) else { throw ValidationError("--replicas must be 1 to --workers") }
        guard !recovery || workers > replicas else { throw ValidationError("--recovery needs more --workers than --replicas") }
        guard limitTokens >= 0 else { throw ValidationError("--limit-tokens must not be negative") }
        guard warmup >= 0, assemblyQueries >= 1 else { throw ValidationError("--warmup must be >= 0 and --assembly-queries >= 1") }
        guard dimension >= 1 else { throw ValidationError("--dimension must be positive") }
        guard nodeSet.allSatisfy({ $0.contains("=") }) else { throw ValidationError("--node-set takes key=value") }
        for mode in modeList where !["lexical", "vector", "hybrid"].contains(mode) {
            throw ValidationError("--modes takes lexical, vector, hybrid; not \(mode)")
        }
        guard budgetList.allSatisfy({ $0 > 0 }) else { throw ValidationError("--assembly takes positive token budgets") }
    }

    var modeList: [String] { modes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    var budgetList: [Int] { assembly.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        let corpus = try ServiceCorpus(chunkFile: chunks, limitTokens: limitTokens, vectors: vectors, dimension: dimension)
        print("strata-bench service: \(workers) worker(s), R = \(replicas); \(corpus.description)")
        let nodes = try ChildNodes(workDir: workDir)
        defer { nodes.stopAll() }
        do {
            var report = try await measure(nodes, corpus: corpus)
            report["machine_cores"] = ProcessInfo.processInfo.activeProcessorCount
            if let json {
                let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
                try data.write(to: URL(fileURLWithPath: json))
                print("figures written to \(json)")
            }
        } catch {
            if showLogs { nodes.printLogs() }
            throw error
        }
    }

    /// Settings for every node: the query limits must allow the assembly budgets asked for
    /// (top-k deep enough to fill a 1M-token context with ~250-token chunks).
    var nodeSettings: [String] {
        let maxBudget = max(budgetList.max() ?? 0, 1_000_000)
        let maxTopK = max(1000, Self.assemblyTopK(budget: maxBudget))
        return (["query.max_top_k=\(maxTopK)", "query.max_token_budget=\(maxBudget)"] + nodeSet).flatMap { ["--set", $0] }
    }

    /// Candidates asked for when assembling `budget` tokens: enough ~250-token chunks to fill it twice over.
    static func assemblyTopK(budget: Int) -> Int { max(100, budget / 125) }
}
