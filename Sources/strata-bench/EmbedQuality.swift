import Foundation
import StrataCore
import StrataEmbed
import StrataSearch

/// `strata-bench embed --quality`: MRR@10 of lexical (BM25 over code-aware terms), vector
/// (the server-side embedder's all-MiniLM-L6-v2 vectors) and hybrid fusions on three query
/// sets, to choose the hybrid default of embedder namespaces by measurement.
///
/// - code, docstrings kept: Python stdlib functions; query = the first line of the function's
///   docstring, target = the whole function (docstring included) — what searching a real
///   codebase looks like, and where BM25 is strong (search-notes.md);
/// - code, docstrings removed: the same queries, the target without its docstring, so the
///   query's words are not copied into it (the vectors' better case on code);
/// - prose: paragraphs of /usr/share/common-licenses and /usr/share/doc/*/copyright; query = a
///   paragraph's first sentence, target = the rest.
///
/// Targets are indexed whole (≤ 1024 bytes, one chunk each) in one `SearchShard`; each
/// component list is 100 deep, as the workers return them. Embeddings are computed by the
/// Swift embedder once and cached (keyed by the texts' hash) in `cache`.
struct EmbedQuality {
    let embedder: TextEmbedder
    let cache: String
    /// Targets per set (functions or paragraphs) and queries per set.
    let targets: Int
    let queries: Int
    /// Seed of the query sample.
    let querySeed: UInt64
    static let depth = 100

    struct QuerySet {
        var name: String
        var file: String
        var pairs: [FusionQuality.Pair]
        var sample: [Int]
    }

    func run() async throws {
        var rng = SplitMix64(seed: 17)
        let functions = FusionQuality.codeFunctions()
        let picked = Array(functions.indices.shuffled(using: &rng).prefix(targets))
        let withDocs = picked.map { FusionQuality.Pair(query: functions[$0].summary, target: functions[$0].whole) }
        let withoutDocs = picked.map { FusionQuality.Pair(query: functions[$0].summary, target: functions[$0].body) }
        let prose = Array(FusionQuality.prosePairs().shuffled(using: &rng).prefix(targets))
        // The queries come from their own seed, so a second sample checks the rule on queries it
        // was not chosen on (the targets, and their cached embeddings, stay the same).
        var queryRNG = SplitMix64(seed: querySeed)
        let codeSample = Array(withDocs.indices.shuffled(using: &queryRNG).prefix(queries))
        let sets = [
            QuerySet(name: "code, docstrings kept (Python stdlib)", file: "code-docstrings", pairs: withDocs, sample: codeSample),
            QuerySet(name: "code, docstrings removed", file: "code-bare", pairs: withoutDocs, sample: codeSample),
            QuerySet(name: "prose (licenses, copyright files)", file: "prose", pairs: prose,
                     sample: Array(prose.indices.shuffled(using: &queryRNG).prefix(queries))),
        ]
        var tables: [(String, [(String, Double)])] = []
        for set in sets {
            let texts = set.pairs.map(\.target) + set.sample.map { set.pairs[$0].query }
            let vectors = try await embeddings(texts, file: set.file)
            tables.append((set.name, try evaluate(set, vectors: vectors)))
        }
        print("\n| method | " + tables.map(\.0).joined(separator: " | ") + " |")
        print("|---|" + tables.map { _ in "---|" }.joined())
        for (row, (label, _)) in tables[0].1.enumerated() {
            print("| \(label) | " + tables.map { String(format: "%.3f", $0.1[row].1) }.joined(separator: " | ") + " |")
        }
    }

    /// Vectors of `texts`, from the cache when it holds exactly these texts.
    func embeddings(_ texts: [String], file: String) async throws -> [[Float]] {
        let key = ContentHash.of(texts.joined(separator: "\u{1}")).description.prefix(16)
        let path = "\(cache)/\(file)-\(key).f32"
        let dimension = embedder.model.dimension
        if let data = FileManager.default.contents(atPath: path), data.count == texts.count * dimension * 4 {
            print("\(file): \(texts.count) embeddings from \(path)")
            return data.withUnsafeBytes { raw in
                (0..<texts.count).map { row in (0..<dimension).map { raw.loadUnaligned(fromByteOffset: (row * dimension + $0) * 4, as: Float.self) } }
            }
        }
        let start = ContinuousClock.now
        var vectors: [[Float]] = []
        for batch in stride(from: 0, to: texts.count, by: 64) {
            vectors += try await embedder.embedInBackground(Array(texts[batch..<min(batch + 64, texts.count)]))
            FileHandle.standardError.write(Data("\r\(file): \(vectors.count) of \(texts.count) embedded".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print("\(file): embedded \(texts.count) texts in \(String(format: "%.0f", (ContinuousClock.now - start).seconds)) s")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        var data = Data(capacity: texts.count * dimension * 4)
        for vector in vectors { vector.withUnsafeBytes { data.append(contentsOf: $0) } }
        try data.write(to: URL(fileURLWithPath: path))
        return vectors
    }

    /// MRR@10 of every method on one set.
    func evaluate(_ set: QuerySet, vectors: [[Float]]) throws -> [(String, Double)] {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: embedder.model.dimension))
        for (i, pair) in set.pairs.enumerated() {
            let id = "t\(i)"
            let ref = ChunkRef(documentID: id, ordinal: 0, contentHash: ContentHash(high: 0, low: UInt64(i)))
            try shard.upsert(documentID: id, chunks: [IndexedChunk(ref: ref, text: pair.target, vector: vectors[i])])
        }
        let methods = HybridFusionCandidates.all
        var reciprocal = [Double](repeating: 0, count: methods.count)
        for (q, i) in set.sample.enumerated() {
            let query = try LexicalQuery(text: set.pairs[i].query)
            let bound = BM25Parameters.default.scoreBound(query, statistics: shard.statistics(for: query))
            let lexical = try shard.searchLexical(query, k: Self.depth)
                .map { RankedCandidate(key: $0.ref.documentID, score: $0.score) }
            let vector = try shard.searchVector(vectors[set.pairs.count + q], k: Self.depth)
                .map { RankedCandidate(key: $0.ref.documentID, score: $0.score) }
            for (m, method) in methods.enumerated() {
                let ranked = method.fuse(lexical, vector, bound)
                if let rank = ranked.prefix(10).firstIndex(of: "t\(i)") { reciprocal[m] += 1 / Double(rank + 1) }
            }
        }
        print("\(set.name): \(set.pairs.count) targets, \(set.sample.count) queries")
        return zip(methods, reciprocal).map { ($0.label, $1 / Double(set.sample.count)) }
    }
}
