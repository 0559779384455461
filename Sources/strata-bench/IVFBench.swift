import ArgumentParser
import Foundation
import StrataCore
import StrataSearch

/// `strata-bench ivf`: the exact INT8 scan against the IVF index on synthetic clustered
/// vectors (the `search` bench's generator: 256 seeded centres, spread 0.5, a document's chunks
/// around one centre), in one process, single-threaded.
///
/// Per corpus size: exact and IVF top-10 p50/p99, recall@10 against exact FP32 cosine, the
/// probes the recall target needs, and the IVF lists served as tiers (every list in a file,
/// memory holding a budget smaller than the data) under a Zipf-skewed query load: hit rates,
/// latency, and bytes held in RAM per token. First, the switch point: the smallest size where
/// IVF at the recall target beats the exact scan.
struct IVFBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ivf",
        abstract: "Benchmark the IVF vector index against the exact scan: latency, recall@10, tier hit rates, memory per token.")

    @Option(help: "Comma-separated corpus sizes in tokens (one vector per --tokens-per-chunk tokens).")
    var tokens: String = "1000000,10000000,100000000"

    @Option(help: "Tokens per chunk: a corpus of T tokens has T / this many vectors.")
    var tokensPerChunk: Int = 200

    @Option(help: "Dimension of the synthetic clustered vectors.")
    var dimension: Int = 384

    @Option(help: "Timed queries per measurement (after as many untimed).")
    var queries: Int = 300

    @Option(help: "Recall@10 (against exact FP32 cosine) the probe count is chosen for.")
    var recallTarget: Double = 0.95

    @Option(help: "Vectors per IVF list (the list count is vectors / this).")
    var listSize: Int = 512

    @Option(help: "Memory tier budget as a fraction of all lists' bytes.")
    var cacheFraction: Double = 0.2

    @Option(help: "Zipf exponent of the skewed query load over the 256 topics.")
    var zipf: Double = 1.1

    @Option(help: "Comma-separated corpus sizes in vectors for the switch-point table (empty: skip).")
    var switchVectors: String = "2000,5000,10000,20000,50000"

    @Option(help: "Directory for the list files (a fresh subdirectory is made and removed).")
    var directory: String = NSTemporaryDirectory()

    @Option(help: "Also write the figures as JSON to this file (scripts/bench.sh reads it).")
    var json: String?

    mutating func run() throws {
        let sizes = tokens.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }), tokensPerChunk > 0, queries >= 10, listSize > 0,
              cacheFraction > 0, cacheFraction <= 1 else {
            throw ValidationError("--tokens, --tokens-per-chunk, --queries (>= 10), --list-size and --cache-fraction (0, 1] must be positive")
        }
        let work = (directory as NSString).appendingPathComponent("strata-ivf-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        print("# strata-bench ivf: SYNTHETIC \(dimension)-dim clustered vectors (256 centres, spread 0.5; not embeddings), seeded; one thread")
        print("# load average at start: \(Self.loadAverage())")
        var report: [String: Any] = ["load_average_start": Self.loadAverage(), "recall_target": recallTarget, "zipf": zipf,
                                     "cache_fraction": cacheFraction, "tokens_per_chunk": tokensPerChunk, "dimension": dimension]
        let switchSizes = switchVectors.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if !switchSizes.isEmpty {
            print("\n## switch point: exact scan vs IVF at recall@10 >= \(recallTarget) (p50 of \(queries) uniform queries)")
            print("| vectors | tokens | lists | probes | exact p50 ms | IVF p50 ms | IVF/exact | IVF recall@10 |")
            print("|---:|---:|---:|---:|---:|---:|---:|---:|")
            report["switch"] = try switchSizes.map { try switchRow(vectors: $0) }
        }
        var bySize: [String: Any] = [:]
        for size in sizes.sorted() {
            bySize[String(size)] = try runSize(tokens: size, work: work)
        }
        report["sizes"] = bySize
        report["load_average_end"] = Self.loadAverage()
        print("\n# load average at end: \(Self.loadAverage())")
        if let json {
            try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
        }
    }

    // MARK: Corpus and queries

    struct Corpus {
        let dimension: Int
        let floats: [Float]
        let norms: [Float]
        let count: Int
        let source: ClusteredVectorSource

        /// `count` vectors; chunk i belongs to document i / 8, whose topic is document % 256.
        init(count: Int, dimension: Int) {
            var rng = SplitMix64(seed: 2026)
            source = ClusteredVectorSource(dimension: dimension, clusters: 256, spread: 0.5, rng: &rng)
            var floats = [Float]()
            floats.reserveCapacity(count * dimension)
            for i in 0..<count { floats.append(contentsOf: source.vector(cluster: (i / 8) % 256, rng: &rng)) }
            var norms = [Float](repeating: 0, count: count)
            for i in 0..<count {
                var s: Float = 0
                for j in 0..<dimension { s += floats[i * dimension + j] * floats[i * dimension + j] }
                norms[i] = s.squareRoot()
            }
            self.dimension = dimension
            self.floats = floats
            self.norms = norms
            self.count = count
        }

        func vector(_ i: Int) -> [Float] { Array(floats[i * dimension..<(i + 1) * dimension]) }

        /// A chunk's vector plus noise (as `strata-bench search`), the chunk uniform or, with
        /// `zipf`, from a topic drawn by rank with probability ∝ 1 / rank^zipf.
        func queries(_ n: Int, seed: UInt64, zipf: Double? = nil) -> [[Float]] {
            var rng = SplitMix64(seed: seed)
            var cumulative: [Double] = []
            if let zipf {
                var total = 0.0
                for rank in 1...256 { total += 1 / pow(Double(rank), zipf); cumulative.append(total) }
                cumulative = cumulative.map { $0 / total }
            }
            return (0..<n).map { _ in
                var chunk = Int.random(in: 0..<count, using: &rng)
                if !cumulative.isEmpty {
                    let u = Double.random(in: 0..<1, using: &rng)
                    let topic = (cumulative.firstIndex { $0 > u } ?? 255) * 97 % 256  // ranks spread over topics
                    let documents = (count / 8 - topic + 255) / 256
                    if documents > 0 {
                        let document = topic + 256 * Int.random(in: 0..<documents, using: &rng)
                        chunk = min(count - 1, document * 8 + Int.random(in: 0..<8, using: &rng))
                    }
                }
                return vector(chunk).map { $0 + 0.3 * rng.gaussian() }
            }
        }

        /// Exact FP32 cosine top-k (the truth recall is measured against).
        func exactTopK(_ query: [Float], k: Int) -> [Int] {
            SearchBench.exactTopK(query, floats, norms: norms, dimension: dimension, k: k)
        }
    }

    /// The exact path: one shard holding every vector (INT8 scan, FP16 rescoring).
    static func exactShard(_ corpus: Corpus) throws -> SearchShard {
        var settings = SearchSettings(vectorDimension: corpus.dimension, metric: .cosine)
        settings.maximumTopK = 1000
        settings.compactionThreshold = 0.5
        var shard = try SearchShard(settings: settings)
        let hash = ContentHash(high: 0, low: 0)
        for document in 0..<(corpus.count + 7) / 8 {
            let chunks = (document * 8..<min(corpus.count, document * 8 + 8)).map { i in
                IndexedChunk(ref: ChunkRef(documentID: "d\(document)", ordinal: Int32(i - document * 8), contentHash: hash),
                             text: "", vector: corpus.vector(i))
            }
            try shard.upsert(documentID: "d\(document)", chunks: chunks)
        }
        return shard
    }

    static func vectorIndex(of hit: SearchHit) -> Int { Int(hit.ref.documentID.dropFirst())! * 8 + Int(hit.ref.ordinal) }

    /// An IVF index of the corpus: centroids trained on a seeded sample of 40 rows per list.
    static func ivfIndex(_ corpus: Corpus, listSize: Int) throws -> (index: IVFIndex, trainSeconds: Double, assignSeconds: Double) {
        let lists = IVFCentroids.listCount(vectors: corpus.count, targetListSize: listSize)
        var rng = SplitMix64(seed: 99)
        var rows = Array(0..<corpus.count)
        rows.shuffle(using: &rng)
        let sample = rows.prefix(min(corpus.count, 40 * lists)).flatMap { corpus.vector($0) }
        let trainStart = SearchBench.now()
        let centroids = try IVFCentroids.train(sample: sample, dimension: corpus.dimension, lists: lists)
        let trainSeconds = SearchBench.seconds(since: trainStart)
        let assignStart = SearchBench.now()
        var index = IVFIndex(centroids: centroids, metric: .cosine)
        for i in 0..<corpus.count { try index.upsert(id: UInt64(i), vector: corpus.vector(i)) }
        return (index, trainSeconds, SearchBench.seconds(since: assignStart))
    }

    static func recall(_ found: [[Int]], truth: [[Int]]) -> Double {
        var hits = 0
        var total = 0
        for (f, t) in zip(found, truth) {
            hits += Set(f).intersection(t).count
            total += t.count
        }
        return Double(hits) / Double(max(total, 1))
    }

    /// The fewest probes (powers of two up to every list) reaching `target` recall on `truth`.
    static func chooseProbes(_ index: IVFIndex, queries: [VectorQuery], truth: [[Int]], target: Double) throws
        -> (probes: Int, recall: Double, sweep: [(Int, Double)]) {
        var sweep: [(Int, Double)] = []
        var probes = 1
        while true {
            let found = try queries.map { try index.search($0, k: 10, probes: probes).map { Int($0.id) } }
            let r = recall(found, truth: truth)
            sweep.append((probes, r))
            if r >= target || probes >= index.centroids.count { return (probes, r, sweep) }
            probes = min(probes * 2, index.centroids.count)
        }
    }

    /// Latencies of `body` over `inputs` (the query vectors as a client sends them: each path
    /// validates, normalizes and quantizes its own), after 30 untimed calls.
    static func timed(_ inputs: [[Float]], _ body: ([Float]) throws -> Void) rethrows -> SearchBench.LatencySummary {
        try SearchBench.measure(inputs, warmup: min(inputs.count, 30), body)
    }

    func switchRow(vectors n: Int) throws -> [String: Any] {
        let corpus = Corpus(count: n, dimension: dimension)
        let shard = try Self.exactShard(corpus)
        let (index, _, _) = try Self.ivfIndex(corpus, listSize: listSize)
        let raw = corpus.queries(queries, seed: 5)
        let prepared = try raw.map { try VectorQuery($0, dimension: dimension, metric: .cosine) }
        let truth = raw.prefix(100).map { corpus.exactTopK($0, k: 10) }
        let choice = try Self.chooseProbes(index, queries: Array(prepared.prefix(100)), truth: truth, target: recallTarget)
        // Interleaved in rounds so that load on the shared machine falls on both alike.
        var exact: [Double] = []
        var ivf: [Double] = []
        for _ in 0..<3 {
            exact += try Self.timed(raw) { _ = try shard.searchVector($0, k: 10) }.samples
            ivf += try Self.timed(raw) { _ = try index.search(VectorQuery($0, dimension: dimension, metric: .cosine), k: 10, probes: choice.probes) }.samples
        }
        let e = SearchBench.LatencySummary(samples: exact).percentile(50)
        let v = SearchBench.LatencySummary(samples: ivf).percentile(50)
        print(String(format: "| %d | %d | %d | %d | %.3f | %.3f | %.2f | %.4f |", n, n * tokensPerChunk, index.centroids.count,
                     choice.probes, e, v, v / e, choice.recall))
        return ["vectors": n, "lists": index.centroids.count, "probes": choice.probes, "exact_p50_ms": e, "ivf_p50_ms": v,
                "ivf_recall_at_10": choice.recall]
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}
