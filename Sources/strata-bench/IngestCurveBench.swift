import ArgumentParser
import Foundation
import StrataCore
import StrataRPC
import StrataWire

/// `strata-bench ingest-curve`: whether ingest slows down as the store grows. Small documents
/// (1–3 KB of seeded words, plain text) are streamed into 1 coordinator + 3 workers (R = 2,
/// real child processes) and the documents/s is printed at each checkpoint of stored
/// documents, measured over the `--window` documents just before it, with its ratio to the
/// first checkpoint's rate.
struct IngestCurveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-curve",
        abstract: "Ingest rate (documents/s) of 1–3 KB documents into 3 workers (R = 2) at growing numbers of stored documents.",
        discussion: """
            The binaries strata-coordinator and strata-worker are taken from the folder strata-bench is in. \
            Documents are synthetic (seeded words, no vectors); each Ingest call carries --batch-documents of them, \
            --streams calls run at once, while --query-loops loops query (lexical top-10, 2,000-token assembly, \
            two vocabulary words) as an agent reads while it writes. The rate at a checkpoint is the last --window documents before it divided by \
            the time they took.
            """)

    @Option(help: "Stored documents at which the rate is printed, comma-separated.") var checkpoints: String = "1000,10000,50000,100000"
    @Option(help: "Documents the rate at a checkpoint is measured over.") var window: Int = 1000
    @Option(help: "Documents per Ingest call.") var batchDocuments: Int = 20
    @Option(help: "Concurrent Ingest streams.") var streams: Int = 2
    @Option(help: "Concurrent lexical query loops while ingesting (0: ingest alone).") var queryLoops: Int = 1
    @Option(help: "Seed of the documents.") var seed: UInt64 = 19
    @Option(help: "Folder for the nodes' data directories (removed at the end).") var workDir: String = NSTemporaryDirectory()
    @Option(help: "A setting for every node, key=value (repeatable).") var nodeSet: [String] = []
    @Flag(help: "Print the nodes' logs when something fails.") var showLogs = false
    @Flag(help: "After the curve, SIGKILL worker-1 and restart it (then SIGTERM and restart it), printing its \"store ready\" line each time.") var restart = false
    @Option(help: "Also write the curve (and the restarts) as JSON to this file.") var json: String?

    var points: [Int] { checkpoints.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let points = points
        guard !points.isEmpty, points == points.sorted(), points.allSatisfy({ $0 >= window }) else {
            throw ValidationError("--checkpoints must be increasing numbers, each at least --window")
        }
        guard window >= batchDocuments else { throw ValidationError("--window must be at least --batch-documents") }
        guard (1...500).contains(batchDocuments) else { throw ValidationError("--batch-documents must be 1 to 500") }
        guard (1...8).contains(streams) else { throw ValidationError("--streams must be 1 to 8") }
        guard (0...8).contains(queryLoops) else { throw ValidationError("--query-loops must be 0 to 8") }
        guard nodeSet.allSatisfy({ $0.contains("=") }) else { throw ValidationError("--node-set takes key=value") }
    }

    func run() async throws {
        let nodes = try ClusterBench.ChildNodes(workDir: workDir)
        defer { nodes.stopAll() }
        do {
            try await measure(nodes)
        } catch {
            if showLogs { nodes.printLogs() }
            throw error
        }
    }

    private func measure(_ nodes: ClusterBench.ChildNodes) async throws {
        let extra = nodeSet.flatMap { ["--set", $0] }
        print("# strata-bench ingest-curve: 1 coordinator + 3 workers on loopback, R = 2, \(ProcessInfo.processInfo.activeProcessorCount) cores shared by all")
        print("# 1-3 KB plain-text documents, \(batchDocuments) per Ingest call, \(streams) streams, \(queryLoops) query loops; rate over the last \(window) documents before each checkpoint")
        // The coordinator's default failure detection (dead after 5 s): with the cluster
        // benchmark's 3 s, a worker starved of CPU by this load was declared dead mid-run and
        // its slots copied away, which the curve would then show.
        try nodes.startCoordinator(settings: extra)
        for _ in 0..<3 { try nodes.startWorker(settings: extra) }
        let client = ClusterBench.ClusterClient(address: nodes.coordinatorAddress)
        try await client.waitFullyReplicated(workers: 3, timeout: .seconds(60))
        try await Self.waitSettled(client)
        try await client.createNamespace("curve", tokenizer: .estimate, dimension: 0)

        let corpus = CurveCorpus(seed: seed, documentsPerBatch: batchDocuments)
        let progress = CurveProgress()
        let total = points.last!
        let batches = (total + batchDocuments - 1) / batchDocuments
        let queries = CurveQueries()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for loop in 0..<queryLoops {
                group.addTask {
                    var rng = SplitMix64(seed: seed &+ 1000 &+ UInt64(loop))
                    while progress.documents < total {
                        let text = "\(corpus.vocabulary[Int.random(in: 0..<corpus.vocabulary.count, using: &rng)]) \(corpus.vocabulary[Int.random(in: 0..<corpus.vocabulary.count, using: &rng)])"
                        let started = ContinuousClock.now
                        _ = try? await client.query(QueryRequest(namespace: "curve", text: text, mode: .lexical, topK: 10, tokenBudget: 2000))
                        queries.record(progress.documents, seconds: (ContinuousClock.now - started).seconds)
                    }
                }
            }
            for stream in 0..<streams {
                group.addTask {
                    var batch = stream
                    while batch < batches {
                        let summary = try await client.ingest(namespace: "curve", batches: [corpus.batch(batch)])
                        guard summary.rejected.isEmpty else {
                            throw ClusterBench.BenchFailure("batch \(batch): \(summary.rejected.count) documents rejected: \(summary.rejected[0].reason)")
                        }
                        progress.stored(Int(summary.documents))
                        batch += streams
                    }
                }
            }
            try await group.waitForAll()
        }
        let marks = progress.marks()
        print("")
        print("| stored documents | documents/s (last \(window)) | vs first | query p50 ms meanwhile |")
        print("|---:|---:|---:|---:|")
        var first: Double?
        var curve: [[String: Any]] = []
        for point in points {
            guard let rate = Self.rate(marks, at: point, window: window) else { continue }
            first = first ?? rate
            print("| \(point) | \(format(rate, 0)) | \(format(rate / first!, 2)) | \(queries.medianMilliseconds(upTo: point, window: window)) |")
            curve.append(["documents": point, "documents_per_second": rate, "vs_first": rate / first!])
        }
        let listed = try ListNamespacesResponse(serializedBytes: await client.channel.unary(
            MethodPath.coordinatorListNamespaces, ListNamespacesRequest().serializedBytes(), options: CallOptions(timeout: .seconds(30))))
        if let info = listed.namespaces.first(where: { $0.name == "curve" }) {
            print("")
            print("namespace curve: \(info.documents) documents, \(info.chunks) chunks, \(info.tokens) tokens (R = 2: each worker holds about 2/3)")
        }
        let restarts = restart ? try restartWorker(nodes) : []
        if let json {
            let report: [String: Any] = ["window": window, "streams": streams, "query_loops": queryLoops, "curve": curve, "restarts": restarts,
                                         "load_average_end": (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
                                            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"]
            try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
        }
    }

    /// Restarts worker-1 after a SIGKILL and after a SIGTERM, printing what its "store ready"
    /// log line says (time to open the store and build its search index; chunks; segments).
    private func restartWorker(_ nodes: ClusterBench.ChildNodes) throws -> [[String: String]] {
        print("")
        print("| worker-1 restart after | store ready took | of which index build | chunks | segments |")
        print("|---|---:|---:|---:|---:|")
        let extra = nodeSet.flatMap { ["--set", $0] }
        var rows: [[String: String]] = []
        for (how, stop) in [("SIGKILL", nodes.kill), ("SIGTERM", nodes.terminate)] as [(String, (ClusterBench.ChildNode) -> Void)] {
            stop(nodes.workers[0])
            // JSON logs: the "store ready" line's keys contain spaces and several end in "took",
            // which the text format's key=value pairs do not tell apart.
            let worker = try nodes.restartWorker(0, settings: extra + ["--set", "logging.format=json"])
            let deadline = Date().addingTimeInterval(600)
            var ready: [String: String]?
            while ready == nil && Date() < deadline {
                ready = Self.storeReady(log: (try? String(contentsOfFile: worker.log, encoding: .utf8)) ?? "")
                if ready == nil { usleep(50_000) }
            }
            guard let ready else { throw ClusterBench.BenchFailure("worker-1 did not log \"store ready\" within 600 s") }
            print("| \(how) | \(ready["took"] ?? "?") | \(ready["index build took"] ?? "?") | \(ready["chunks"] ?? "?") | \(ready["segments"] ?? "?") |")
            rows.append(ready.merging(["after": how]) { $1 })
        }
        return rows
    }

    /// The metadata of the "store ready" line of a worker's JSON-format log (nil until it is there).
    static func storeReady(log: String) -> [String: String]? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("store ready") }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let metadata = object["metadata"] as? [String: Any] else { return nil }
        return metadata.mapValues { "\($0)" }
    }

    /// Until no slot copy has run for 2 s: a worker that registered first starts with every
    /// slot and hands them over to the others one rebalancing copy at a time; measured
    /// meanwhile, the curve would show those copies, and worker-1 would end up with a small
    /// share of the data.
    static func waitSettled(_ client: ClusterBench.ClusterClient) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        var quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let status = try await client.status()
            if !status.transfers.isEmpty || !ClusterBench.ClusterClient.isFullyReplicated(status, workers: 3) { quietSince = .now }
            if ContinuousClock.now - quietSince >= .seconds(2) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ClusterBench.BenchFailure("slot copies were still running 180 s after the cluster started")
    }

    /// Documents/s over the `window` documents before the first mark at or past `point`.
    static func rate(_ marks: [(documents: Int, at: ContinuousClock.Instant)], at point: Int, window: Int) -> Double? {
        guard let end = marks.first(where: { $0.documents >= point }),
              let start = marks.last(where: { $0.documents <= end.documents - window }) else { return nil }
        let seconds = (end.at - start.at).seconds
        return seconds > 0 ? Double(end.documents - start.documents) / seconds : nil
    }
}

/// The documents stored so far, with the time each acknowledgement arrived.
final class CurveProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    private var recorded: [(documents: Int, at: ContinuousClock.Instant)] = [(0, .now)]

    var documents: Int { lock.withLock { total } }

    func stored(_ documents: Int) {
        lock.withLock {
            total += documents
            recorded.append((total, .now))
        }
    }

    func marks() -> [(documents: Int, at: ContinuousClock.Instant)] { lock.withLock { recorded } }
}

/// Latencies of the queries run while ingesting, with the stored count when each finished.
final class CurveQueries: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [(documents: Int, seconds: Double)] = []

    func record(_ documents: Int, seconds: Double) { lock.withLock { done.append((documents, seconds)) } }

    /// Median latency of the queries that finished while the last `window` documents before
    /// `point` were stored; "-" when none did.
    func medianMilliseconds(upTo point: Int, window: Int) -> String {
        let times = lock.withLock { done.filter { $0.documents > point - window && $0.documents <= point }.map(\.seconds) }.sorted()
        return times.isEmpty ? "-" : format(times[times.count / 2] * 1000, 1)
    }
}

/// Seeded 1–3 KB documents: "curve/N/i", 150 to 450 words of a 2,000-word vocabulary
/// (4 to 9 letters a word).
struct CurveCorpus: Sendable {
    let seed: UInt64
    let documentsPerBatch: Int
    let vocabulary: [String]

    init(seed: UInt64, documentsPerBatch: Int) {
        self.seed = seed
        self.documentsPerBatch = documentsPerBatch
        // The soak's seeded 2,000 made-up words.
        vocabulary = SoakCorpus(seed: seed, documentsPerBatch: 1).vocabulary
    }

    func batch(_ batch: Int) -> [Document] {
        var rng = SplitMix64(seed: seed &+ UInt64(batch) &* 0x9E37_79B9_7F4A_7C15)
        return (0..<documentsPerBatch).map { index in
            let words = (0..<Int.random(in: 150...450, using: &rng)).map { _ in vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)] }
            return Document(id: "curve/\(batch)/\(index)", text: words.joined(separator: " "))
        }
    }
}
