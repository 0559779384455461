import StrataCore
import Testing

@testable import StrataSearch

/// One INT8 candidate pool over several shards, rescored once: what a worker holding a shard
/// per slot does for a vector query.
@Suite struct VectorCandidatePoolTests {
    @Test func keepsTheBestCapacityWithDeterministicTiesAndARisingFloor() {
        var pool = VectorCandidatePool(capacity: 3)
        #expect(pool.floor == -.infinity)
        for (row, score) in [0.1, 0.9, 0.5, 0.5, 0.7, 0.2].enumerated() { pool.add(shard: row % 2, row: row, coarse: Float(score)) }
        // Six held (twice the capacity): trimmed to three, the floor is the worst kept.
        #expect(pool.floor == 0.5)
        pool.add(shard: 0, row: 9, coarse: 0.95)
        let best = pool.best()
        #expect(best.map(\.row) == [9, 1, 4])
        // Equal coarse scores: lower shard first, then lower row.
        var ties = VectorCandidatePool(capacity: 2)
        ties.add(shard: 1, row: 0, coarse: 1)
        ties.add(shard: 0, row: 5, coarse: 1)
        ties.add(shard: 0, row: 2, coarse: 1)
        #expect(ties.best().map { [$0.shard, $0.row] } == [[0, 2], [0, 5]])
    }

    @Test func severalShardsThroughOnePoolAnswerLikeOneShardHoldingEverything() throws {
        var rng = SplitMix64(seed: 11)
        let vectors = rng.clusteredVectors(count: 1200, dimension: 48, clusters: 12, spread: 0.4)
        let whole = try VectorSearchTests.shard(vectors, metric: .cosine)
        // The same vectors spread over 8 shards, as a worker spreads documents over slots.
        var parts = try (0..<8).map { _ in try SearchShard(settings: SearchSettings(vectorDimension: 48)) }
        for (i, v) in vectors.enumerated() {
            try parts[i % 8].upsert(documentID: "doc\(i)", chunks: [ShardFixtures.chunk("doc\(i)", 0, "chunk \(i)", vector: v)])
        }
        for _ in 0..<20 {
            let query = vectors[Int.random(in: 0..<vectors.count, using: &rng)].map { $0 + 0.2 * rng.gaussian() }
            let prepared = try VectorQuery(query, dimension: 48, metric: .cosine)
            // The single shard rescores max(4 × 10, 40) = 40 candidates; the pool the same number.
            var pool = VectorCandidatePool(capacity: 40)
            var scratch = VectorSearchScratch()
            for (index, part) in parts.enumerated() {
                try part.collectVectorCandidates(prepared, shard: index, into: &pool, filter: .none, scratch: &scratch)
            }
            #expect(pool.best().count == 40)
            let pooled = try pool.best().map { try parts[$0.shard].rescoredHit(row: $0.row, prepared) }
                .sorted { $0.score != $1.score ? $0.score > $1.score : $0.ref < $1.ref }.prefix(10)
            let single = try whole.searchVector(query, k: 10)
            #expect(pooled.map(\.ref.documentID) == single.map(\.ref.documentID))
            #expect(pooled.map(\.score) == single.map(\.score))
        }
    }

    @Test func deletedRowsAndFilteredDocumentsNeverEnterThePool() throws {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: 3))
        try shard.upsert(documentID: "keep/a", chunks: [ShardFixtures.chunk("keep/a", 0, "a", vector: [1, 0, 0])])
        try shard.upsert(documentID: "gone/b", chunks: [ShardFixtures.chunk("gone/b", 0, "b", vector: [1, 0.01, 0])])
        try shard.upsert(documentID: "keep/c", chunks: [ShardFixtures.chunk("keep/c", 0, "c", vector: [0, 1, 0])])
        _ = shard.remove(documentID: "keep/c")
        let query = try VectorQuery([1, 0, 0], dimension: 3, metric: .cosine)
        var pool = VectorCandidatePool(capacity: 10)
        var scratch = VectorSearchScratch()
        try shard.collectVectorCandidates(query, shard: 0, into: &pool, filter: SearchFilter(documentPrefix: "keep/"), scratch: &scratch)
        #expect(try pool.best().map { try shard.rescoredHit(row: $0.row, query).ref.documentID } == ["keep/a"])
        let wrong = try VectorQuery([1, 0], dimension: 2, metric: .cosine)
        #expect(throws: StrataError.self) { try shard.collectVectorCandidates(wrong, shard: 0, into: &pool, scratch: &scratch) }
    }
}
