import StrataCore
import Testing
@testable import StrataSearch

/// `FusedRanking` (fusion over positions, sorting 32-bit entry numbers) ranks exactly as the
/// dictionary-and-sort-by-value formulation it replaced: the same chunks, the same order, the
/// same scores to the bit -- with chunks in both lists, chunks listed twice, tied scores (cut
/// by chunk order) and BM25's pinned hits.
@Suite struct FusedRankingTests {
    /// A pool of chunks small enough that random lists overlap, repeat and tie.
    static func pool() -> [ChunkRef] {
        (0..<40).map { ChunkRef(documentID: "d\($0 % 13)", ordinal: Int32($0 / 13), contentHash: ContentHash(high: UInt64($0), low: 7)) }
    }

    static func randomList(_ pool: [ChunkRef], _ rng: inout SplitMix64) -> [ChunkRef] {
        (0..<Int.random(in: 0...30, using: &rng)).map { _ in pool[Int.random(in: 0..<pool.count, using: &rng)] }
    }

    /// The old formulation: a dictionary of summed contributions, sorted by value.
    static func reference(lexical: [ChunkRef], vector: [ChunkRef], lexicalWeight: Double, vectorWeight: Double, k: Double,
                          pinned: Int) -> [(ChunkRef, Double)] {
        var scores = ReciprocalRankFusion.scores(lexical: lexical, vector: vector, lexicalWeight: lexicalWeight, vectorWeight: vectorWeight, k: k)
        for (rank, ref) in lexical.prefix(pinned).enumerated() { scores[ref] = 2 - Double(rank) / Double(pinned) }
        return scores.map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    @Test(arguments: [0, 2]) func fusionOverPositionsEqualsTheDictionaryFusion(pinned: Int) {
        var rng = SplitMix64(seed: 1919 + UInt64(pinned))
        let pool = Self.pool()
        for _ in 0..<300 {
            let lexical = Self.randomList(pool, &rng), vector = Self.randomList(pool, &rng)
            // Equal weights make equal-rank ties common; uneven ones test the sums.
            let weight = [0.5, 0.3, 1.0][Int.random(in: 0..<3, using: &rng)]
            let limit = Int.random(in: 0...70, using: &rng)
            let fused = FusedRanking(lexical: lexical, vector: vector, lexicalWeight: weight, vectorWeight: 1 - weight + 0.5, k: 5,
                                     limit: limit, pinnedLexical: pinned)
            let expected = Self.reference(lexical: lexical, vector: vector, lexicalWeight: weight, vectorWeight: 1 - weight + 0.5, k: 5,
                                          pinned: pinned).prefix(limit)
            #expect(fused.entries.map(\.score) == expected.map(\.1))
            let refs = fused.entries.map { $0.lexical >= 0 ? lexical[Int($0.lexical)] : vector[Int($0.vector)] }
            #expect(refs == expected.map(\.0))
            // Each entry's places are the chunk's first places in the lists.
            for (entry, ref) in zip(fused.entries, refs) {
                #expect(entry.lexical == Int32(lexical.firstIndex(of: ref) ?? -1))
                #expect(entry.vector == Int32(vector.firstIndex(of: ref) ?? -1))
            }
        }
    }

    /// The coordinator's merge ranks positions of hits as sorting the hits by value did:
    /// each component list by score then chunk order, fused, cut at top-k.
    @Test(arguments: [SearchMode.lexical, .vector, .hybrid]) func mergeByPositionsEqualsMergeByValue(mode: SearchMode) {
        var rng = SplitMix64(seed: 77)
        let pool = Self.pool()
        for _ in 0..<200 {
            // Distinct chunks (one replica answers per slot), scores from a few values so they tie.
            let refs = pool.shuffled(using: &rng).prefix(Int.random(in: 0...pool.count, using: &rng))
            let hits = refs.map { ref in
                let lexical: Double? = Bool.random(using: &rng) ? Double(Int.random(in: 1...4, using: &rng)) : nil
                let vector: Double? = Bool.random(using: &rng) || lexical == nil ? Double(Int.random(in: 1...4, using: &rng)) / 4 : nil
                return SearchHit(ref: ref, score: 0, lexicalScore: lexical, vectorScore: vector)
            }
            let topK = Int.random(in: 1...25, using: &rng)
            func byValue(_ component: KeyPath<SearchHit, Double?>, keepingAll: Bool) -> [SearchHit] {
                hits.compactMap { hit in
                    guard let score = hit[keyPath: component] ?? (keepingAll ? 0 : nil) else { return nil }
                    var ranked = hit
                    ranked.score = score
                    return ranked
                }.sorted(by: SearchHit.ranksBefore)
            }
            let expected: [(ChunkRef, Double)] = switch mode {
            case .lexical: byValue(\.lexicalScore, keepingAll: true).prefix(topK).map { ($0.ref, $0.score) }
            case .vector: byValue(\.vectorScore, keepingAll: true).prefix(topK).map { ($0.ref, $0.score) }
            case .hybrid: Self.reference(lexical: byValue(\.lexicalScore, keepingAll: false).map(\.ref),
                                         vector: byValue(\.vectorScore, keepingAll: false).map(\.ref),
                                         lexicalWeight: 1, vectorWeight: 1, k: 5, pinned: 0).prefix(topK).map { $0 }
            }
            let ranked = ShardResultMerging.rankedPositions(Array(hits), mode: mode, topK: topK, fusion: .default)
            #expect(ranked.map { hits[$0.position].ref } == expected.map(\.0))
            #expect(ranked.map(\.score) == expected.map(\.1))
        }
    }
}
