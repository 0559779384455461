import StrataCore

/// The hybrid default of namespaces with a server-side embedder: BM25's best hits first when
/// BM25 is sure of them, weighted reciprocal rank fusion leaning to the vectors otherwise.
///
/// "Sure" is measured against the query itself: the top BM25 score over the largest score the
/// query could reach (`BM25Parameters.scoreBound`: each term's IDF times `k1 + 1`, times its
/// count in the query). A top hit at `coverageThreshold` or more of that bound holds the
/// query's words, the rare ones included, many times: on code that is an identifier or a
/// docstring phrase, and there BM25 is right far more often than a small general-purpose
/// embedder (search-notes.md: lexical 0.95 against hybrid 0.85 MRR@10 with fixed weights).
/// Then BM25's first `pinnedHits` hits are ranked first, in BM25's order, and the rest is fused. Otherwise the query's words are
/// common or scattered, the vectors' sense of paraphrase matters more, and the lists are fused
/// with `uncertainLexicalWeight` for BM25 (the vectors get the rest) and constant `k`.
///
/// No fixed weight was at least as good as the better component on all three query sets of
/// `strata-bench embed --quality` (code with docstrings, code without, prose); this rule
/// was chosen on them, see docs/search.md for the tables.
public struct AdaptiveFusion: Sendable, Equatable {
    public var coverageThreshold: Double
    public var pinnedHits: Int
    public var uncertainLexicalWeight: Double
    public var k: Double

    public init(coverageThreshold: Double, pinnedHits: Int, uncertainLexicalWeight: Double, k: Double) {
        self.coverageThreshold = coverageThreshold
        self.pinnedHits = pinnedHits
        self.uncertainLexicalWeight = uncertainLexicalWeight
        self.k = k
    }

    public static let `default` = AdaptiveFusion(coverageThreshold: 0.35, pinnedHits: 2, uncertainLexicalWeight: 0.3, k: 5)

    /// Whether BM25's top hit is sure enough to go first (`bound`: the query's score bound).
    public func pinsLexicalTop(_ lexical: [RankedCandidate], bound: Double) -> Bool {
        pins(topScore: lexical.first?.score, bound: bound)
    }

    private func pins(topScore: Double?, bound: Double) -> Bool {
        guard let topScore, bound > 0 else { return false }
        return topScore / bound >= coverageThreshold
    }

    /// The fused ranking, best first (ties by key, so every node cuts the list the same way).
    /// Pinned BM25 hits get scores above every fused one.
    public func fuse(lexical: [RankedCandidate], vector: [RankedCandidate], lexicalBound: Double = 0) -> [RankedCandidate] {
        fusedScores(lexical: lexical.map { ($0.key, $0.score) }, vector: vector.map(\.key), lexicalBound: lexicalBound)
            .map { RankedCandidate(key: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
    }

    /// The same over chunk hits (what the coordinator fuses), ties by chunk order, each hit
    /// with its component scores.
    public func fuse(lexical: [SearchHit], vector: [SearchHit], lexicalBound: Double = 0) -> [SearchHit] {
        SearchHit.fused(ranking(lexical: lexical.map(\.ref), topLexicalScore: lexical.first?.score, vector: vector.map(\.ref),
                                lexicalBound: lexicalBound, limit: lexical.count + vector.count), lexical: lexical, vector: vector)
    }

    /// The fused ranking of two lists of chunks, each best first (`topLexicalScore`: the
    /// lexical list's first score), at most `limit` entries.
    public func ranking(lexical: [ChunkRef], topLexicalScore: Double?, vector: [ChunkRef], lexicalBound: Double, limit: Int) -> FusedRanking {
        FusedRanking(lexical: lexical, vector: vector, lexicalWeight: uncertainLexicalWeight, vectorWeight: 1 - uncertainLexicalWeight,
                     k: k, limit: limit, pinnedLexical: pins(topScore: topLexicalScore, bound: lexicalBound) ? pinnedHits : 0)
    }

    private func fusedScores<Key: Hashable>(lexical: [(key: Key, score: Double)], vector: [Key], lexicalBound: Double) -> [Key: Double] {
        var scores = ReciprocalRankFusion.scores(lexical: lexical.lazy.map(\.key), vector: vector,
                                                 lexicalWeight: uncertainLexicalWeight, vectorWeight: 1 - uncertainLexicalWeight, k: k)
        if pins(topScore: lexical.first?.score, bound: lexicalBound) {
            // Above any fused score (each is at most 1 / (k + 1)), in BM25's order.
            for (rank, entry) in lexical.prefix(pinnedHits).enumerated() { scores[entry.key] = 2 - Double(rank) / Double(pinnedHits) }
        }
        return scores
    }
}
