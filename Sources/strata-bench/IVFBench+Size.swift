import Foundation
import StrataCore
import StrataSearch

/// One corpus size of `strata-bench ivf`.
extension IVFBench {
    /// Prints one size's tables and returns its figures (the JSON of `--json`).
    func runSize(tokens: Int, work: String) throws -> [String: Any] {
        let n = max(1, tokens / tokensPerChunk)
        print("\n## \(tokens) tokens: \(n) vectors of \(dimension) dimensions (\(tokensPerChunk) tokens per chunk); load average \(Self.loadAverage())")
        let genStart = SearchBench.now()
        let corpus = Corpus(count: n, dimension: dimension)
        let shard = try Self.exactShard(corpus)
        print(String(format: "corpus and exact shard built in %.1f s", SearchBench.seconds(since: genStart)))
        let (index, trainSeconds, assignSeconds) = try Self.ivfIndex(corpus, listSize: listSize)
        let listBytes = index.lists.reduce(0) { $0 + $1.byteCount }
        print(String(format: "IVF: %d lists, k-means on %d sampled rows in %.1f s, %d vectors assigned in %.1f s; lists hold %.1f MB",
                     index.centroids.count, min(n, 40 * index.centroids.count), trainSeconds, n, assignSeconds, Double(listBytes) / 1e6))

        // Uniform queries: truth, exact scan, probe sweep.
        let raw = corpus.queries(queries, seed: 17)
        let prepared = try raw.map { try VectorQuery($0, dimension: dimension, metric: .cosine) }
        let truthStart = SearchBench.now()
        let truth = raw.prefix(100).map { corpus.exactTopK($0, k: 10) }
        print(String(format: "truth: exact FP32 cosine top-10 of 100 queries in %.1f s", SearchBench.seconds(since: truthStart)))
        let exactFound = try raw.prefix(100).map { try shard.searchVector($0, k: 10).map(Self.vectorIndex) }
        let choice = try Self.chooseProbes(index, queries: Array(prepared.prefix(100)), truth: truth, target: recallTarget)
        print("probe sweep (recall@10 vs FP32): " + choice.sweep.map { String(format: "%d: %.4f", $0.0, $0.1) }.joined(separator: ", "))
        var exact: [Double] = []
        var ivf: [Double] = []
        for _ in 0..<3 {  // interleaved rounds: the shared machine's load falls on both alike
            exact += try Self.timed(raw) { _ = try shard.searchVector($0, k: 10) }.samples
            ivf += try Self.timed(raw) { _ = try index.search(VectorQuery($0, dimension: dimension, metric: .cosine), k: 10, probes: choice.probes) }.samples
        }
        let e = SearchBench.LatencySummary(samples: exact)
        let v = SearchBench.LatencySummary(samples: ivf)
        print("| path | top-10 p50 ms | p99 ms | recall@10 vs FP32 |")
        print("|---|---:|---:|---:|")
        print(String(format: "| exact INT8 scan + FP16 rescore | %.3f | %.3f | %.4f |", e.percentile(50), e.percentile(99),
                     Self.recall(exactFound, truth: truth)))
        print(String(format: "| IVF, %d of %d lists probed, in memory | %.3f | %.3f | %.4f |", choice.probes, index.centroids.count,
                     v.percentile(50), v.percentile(99), choice.recall))

        // The lists as tiers: every list in a file, memory holding `cacheFraction` of them.
        let directory = (work as NSString).appendingPathComponent("\(tokens)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let budget = Int(Double(listBytes) * cacheFraction)
        let floats = corpus.floats
        let dim = dimension
        let writeStart = SearchBench.now()
        let tiered = try IVFTieredIndex(writing: index, directory: directory, cacheBytes: budget) { id in
            Int(id) < floats.count / dim ? Array(floats[Int(id) * dim..<(Int(id) + 1) * dim]) : nil
        }
        print(String(format: "tiers: %d list files (%.1f MB) written atomically in %.1f s; memory budget %.1f MB (%.0f%% of the lists)",
                     index.centroids.count, Double(listBytes) / 1e6, SearchBench.seconds(since: writeStart), Double(budget) / 1e6,
                     cacheFraction * 100))
        let skewed = corpus.queries(2 * queries, seed: 23, zipf: zipf)
        for query in skewed.prefix(queries) {  // warm-up: fills the memory tier
            _ = try tiered.search(VectorQuery(query, dimension: dimension, metric: .cosine), k: 10, probes: choice.probes)
        }
        let before = tiered.counters
        let timedSkewed = Array(skewed.suffix(queries))
        var found: [[Int]] = []
        let t = try SearchBench.measure(timedSkewed, warmup: 0) { query in
            found.append(try tiered.search(VectorQuery(query, dimension: dimension, metric: .cosine), k: 10, probes: choice.probes).map { Int($0.id) })
        }
        let after = tiered.counters
        let hits = after.hits - before.hits
        let misses = after.misses - before.misses
        let skewedTruth = timedSkewed.prefix(100).map { corpus.exactTopK($0, k: 10) }
        let uniformStart = tiered.counters
        let u = try SearchBench.measure(raw, warmup: 0) { query in
            _ = try tiered.search(VectorQuery(query, dimension: dimension, metric: .cosine), k: 10, probes: choice.probes)
        }
        let uniformEnd = tiered.counters
        let uniformHits = uniformEnd.hits - uniformStart.hits
        let uniformReads = uniformHits + uniformEnd.misses - uniformStart.misses
        print("| tiered IVF, Zipf(\(zipf)) load | p50 ms | p99 ms | list reads from memory | from disk | hit rate | recall@10 vs FP32 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(String(format: "| skewed (after %d warm-up queries) | %.3f | %.3f | %d | %d | %.3f | %.4f |", queries, t.percentile(50),
                     t.percentile(99), hits, misses, Double(hits) / Double(max(hits + misses, 1)),
                     Self.recall(Array(found.prefix(100)), truth: skewedTruth)))
        print(String(format: "| uniform (same memory tier) | %.3f | %.3f | %d | %d | %.3f | - |", u.percentile(50), u.percentile(99),
                     uniformHits, uniformReads - uniformHits, Double(uniformHits) / Double(max(uniformReads, 1))))
        let inRAM = after.residentBytes + tiered.residentOverheadBytes
        print(String(format: "memory per token: exact index %.2f B/token (%.1f MB, vectors only: INT8 + FP16 + per-row arrays); "
                         + "tiered IVF %.2f B/token in RAM (%.1f MB: %d resident lists %.1f MB + centroids and placement %.1f MB), "
                         + "%.2f B/token on disk; process RSS %@ (includes the bench's FP32 copy of every vector, %.1f MB)",
                     Double(shard.approximateMemoryBytes) / Double(tokens), Double(shard.approximateMemoryBytes) / 1e6,
                     Double(inRAM) / Double(tokens), Double(inRAM) / 1e6, after.residentLists, Double(after.residentBytes) / 1e6,
                     Double(tiered.residentOverheadBytes) / 1e6, Double(listBytes) / Double(tokens), SearchBench.residentSetSize(),
                     Double(corpus.floats.count * 4) / 1e6))
        print("evictions \(after.evictions), lists rebuilt \(after.rebuiltLists); misses read list files through the OS page cache (warm after writing)")
        return [
            "vectors": n, "lists": index.centroids.count, "probes": choice.probes,
            "exact": ["p50_ms": e.percentile(50), "p99_ms": e.percentile(99), "recall_at_10": Self.recall(exactFound, truth: truth)],
            "ivf": ["p50_ms": v.percentile(50), "p99_ms": v.percentile(99), "recall_at_10": choice.recall],
            "tiered_skewed": ["p50_ms": t.percentile(50), "p99_ms": t.percentile(99), "hit_rate": Double(hits) / Double(max(hits + misses, 1)),
                              "recall_at_10": Self.recall(Array(found.prefix(100)), truth: skewedTruth)],
            "tiered_uniform": ["p50_ms": u.percentile(50), "p99_ms": u.percentile(99),
                               "hit_rate": Double(uniformHits) / Double(max(uniformReads, 1))],
            "ram_bytes_per_token": ["tiered_ivf": Double(inRAM) / Double(tokens),
                                    "exact": Double(shard.approximateMemoryBytes) / Double(tokens)],
            "disk_bytes_per_token": Double(listBytes) / Double(tokens),
        ]
    }
}
