import StrataCore
import Testing

@testable import StrataSearch

@Suite("INT8 vector search")
struct VectorSearchTests {
    /// Exact float search: the reference the INT8 path is measured against.
    static func exactTopK(_ query: [Float], _ vectors: [[Float]], k: Int, metric: VectorMetric) -> [Int] {
        func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let qn = metric == .cosine ? norm(query) : 1
        let scored = vectors.enumerated().map { i, v -> (Int, Float) in
            var dot: Float = 0
            for j in 0..<v.count { dot += v[j] * query[j] }
            return (i, metric == .cosine ? dot / (norm(v) * qn) : dot)
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0)
    }

    static func shard(_ vectors: [[Float]], metric: VectorMetric) throws -> SearchShard {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: vectors[0].count, metric: metric))
        for (i, v) in vectors.enumerated() {
            try shard.upsert(
                documentID: "doc\(i)", chunks: [ShardFixtures.chunk("doc\(i)", 0, "chunk \(i)", vector: v)])
        }
        return shard
    }

    @Test(arguments: [VectorMetric.cosine, .dot])
    func recallAt10AgainstExactFloatSearch(metric: VectorMetric) throws {
        var rng = SplitMix64(seed: 42)
        let dimension = 96
        let vectors = rng.clusteredVectors(count: 2000, dimension: dimension, clusters: 20, spread: 0.35)
        let shard = try Self.shard(vectors, metric: metric)
        var found = 0
        var total = 0
        for _ in 0..<40 {
            let base = vectors[Int.random(in: 0..<vectors.count, using: &rng)]
            let query = base.map { $0 + 0.3 * rng.gaussian() }
            let truth = Set(Self.exactTopK(query, vectors, k: 10, metric: metric))
            let hits = try shard.searchVector(query, k: 10)
            found += hits.filter { truth.contains(Int($0.ref.documentID.dropFirst(3))!) }.count
            total += 10
        }
        let recall = Double(found) / Double(total)
        #expect(recall >= 0.99, "recall@10 = \(recall)")
    }

    @Test func scoresApproximateCosineAndFindTheVectorItself() throws {
        var rng = SplitMix64(seed: 7)
        let vectors = rng.clusteredVectors(count: 300, dimension: 40, clusters: 5, spread: 0.5)
        let shard = try Self.shard(vectors, metric: .cosine)
        let hits = try shard.searchVector(vectors[123], k: 3)
        #expect(hits[0].ref.documentID == "doc123")
        // FP16 rescoring of a unit vector against itself: within FP16 precision of 1.
        #expect(abs(hits[0].score - 1) < 2e-3)
    }

    @Test func vectorlessChunksAndFiltersAreRespected() throws {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: 3))
        try shard.upsert(
            documentID: "a/x", chunks: [ShardFixtures.chunk("a/x", 0, "x", metadata: ["k": "1"], vector: [1, 0, 0])])
        try shard.upsert(
            documentID: "b/y",
            chunks: [ShardFixtures.chunk("b/y", 0, "y", metadata: ["k": "2"], vector: [0.9, 0.1, 0])])
        try shard.upsert(documentID: "a/z", chunks: [ShardFixtures.chunk("a/z", 0, "z")])
        let all = try shard.searchVector([1, 0, 0], k: 10)
        #expect(all.map(\.ref.documentID) == ["a/x", "b/y"])
        #expect(
            try shard.searchVector([1, 0, 0], k: 10, filter: SearchFilter(documentPrefix: "b/")).map(\.ref.documentID)
                == ["b/y"])
        #expect(
            try shard.searchVector([1, 0, 0], k: 10, filter: SearchFilter(metadataEquals: ["k": "2"])).map(
                \.ref.documentID) == ["b/y"])
        shard.remove(documentID: "a/x")
        #expect(try shard.searchVector([1, 0, 0], k: 10).map(\.ref.documentID) == ["b/y"])
    }

    @Test func emptyShardsAndTinyDimensionsAnswerWithoutCrashing() throws {
        let empty = try SearchShard(settings: SearchSettings(vectorDimension: 3))
        #expect(try empty.searchVector([1, 2, 3], k: 5).isEmpty)
        #expect(try empty.search(SearchRequest(mode: .lexical, text: "anything")).isEmpty)
        #expect(try empty.search(SearchRequest(mode: .hybrid, text: "anything", vector: [1, 0, 0])).isEmpty)
        var one = try SearchShard(settings: SearchSettings(vectorDimension: 1))
        try one.upsert(documentID: "x", chunks: [ShardFixtures.chunk("x", 0, "x", vector: [2])])
        #expect(try one.searchVector([3], k: 1).map(\.score) == [1])
    }

    @Test func dotMetricUsesMagnitude() throws {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: 2, metric: .dot))
        try shard.upsert(documentID: "small", chunks: [ShardFixtures.chunk("small", 0, "s", vector: [1, 0])])
        try shard.upsert(documentID: "large", chunks: [ShardFixtures.chunk("large", 0, "l", vector: [5000, 100])])
        let hits = try shard.searchVector([1, 0], k: 2)
        #expect(hits.map(\.ref.documentID) == ["large", "small"])
        #expect(abs(hits[0].score - 5000) / 5000 < 1e-3)
    }
}

@Suite("FP16 rescoring kernel")
struct RescoreKernelTests {
    @Test(arguments: [16, 40, 384, 7])
    func matchesAFloatDotProductOfTheHalfValues(dimension: Int) {
        var rng = SplitMix64(seed: UInt64(dimension))
        for metric in VectorMetric.allCases {
            var storage = VectorStorage(dimension: dimension, metric: metric)
            let rows = (0..<5).map { r in
                (0..<dimension).map { _ in rng.gaussian() * Float(r + 1) * (r == 4 ? 1e-4 : 1) }
            }
            for row in rows { storage.append(row) }
            let query = (0..<dimension).map { _ in rng.gaussian() }
            let prepared = PreparedVectorQuery(query, storage: storage)
            for (r, row) in rows.enumerated() {
                let stored = metric == .cosine ? VectorStorage.normalized(row) : row
                let maxMagnitude = stored.map(abs).max()!
                var expected: Float = 0
                var magnitudeSum: Float = 0
                for i in 0..<dimension {
                    let term = Float(Float16(stored[i] / maxMagnitude)) * prepared.exact[i]
                    expected += term
                    magnitudeSum += abs(term)
                }
                expected *= maxMagnitude
                // Float sums in another order differ by rounding, bounded by the sum of |terms|.
                let got = storage.rescore(row: r, prepared)
                #expect(abs(got - expected) <= 5e-5 * magnitudeSum * maxMagnitude + 1e-12, "row \(r) metric \(metric)")
            }
        }
    }
}
