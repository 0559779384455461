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
        guard let top = lexical.first, bound > 0 else { return false }
        return top.score / bound >= coverageThreshold
    }

    /// The fused ranking, best first (ties by key, so every node cuts the list the same way).
    /// Pinned BM25 hits get scores above every fused one.
    public func fuse(lexical: [RankedCandidate], vector: [RankedCandidate], lexicalBound: Double = 0) -> [RankedCandidate] {
        var scores: [String: Double] = [:]
        for (rank, candidate) in lexical.enumerated() {
            scores[candidate.key, default: 0] += uncertainLexicalWeight / (k + Double(rank + 1))
        }
        for (rank, candidate) in vector.enumerated() {
            scores[candidate.key, default: 0] += (1 - uncertainLexicalWeight) / (k + Double(rank + 1))
        }
        if pinsLexicalTop(lexical, bound: lexicalBound) {
            // Above any fused score (each is at most 1 / (k + 1)), in BM25's order.
            for (rank, candidate) in lexical.prefix(pinnedHits).enumerated() { scores[candidate.key] = 2 - Double(rank) / Double(pinnedHits) }
        }
        return scores.map { RankedCandidate(key: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
    }
}
