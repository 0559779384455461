import StrataCore

/// The hybrid default of namespaces with a server-side embedder: weighted reciprocal rank
/// fusion whose lexical weight is chosen per query from how sure BM25 is.
///
/// BM25's best candidate standing well above its second (`score₁ / score₂ ≥ marginThreshold`)
/// means the query's rarer words occur together in one chunk: on code that is an identifier or
/// a docstring phrase, and BM25 is then right far more often than a small general-purpose
/// embedder (search-notes.md: lexical 0.95 against hybrid 0.85 MRR@10 with fixed weights).
/// Then the lexical list gets `confidentLexicalWeight`. Otherwise the words are common or
/// scattered, the vectors' sense of paraphrase matters more, and the lexical list gets
/// `uncertainLexicalWeight`. The vector list gets the rest; `k` is RRF's constant.
///
/// Chosen by `strata-bench embed --quality` over three query sets (code with docstrings, code
/// without, prose), where no fixed weight was at least as good as the better component on all
/// three; see docs/search.md for the tables.
public struct AdaptiveFusion: Sendable, Equatable {
    public var marginThreshold: Double
    public var confidentLexicalWeight: Double
    public var uncertainLexicalWeight: Double
    public var k: Double

    public init(marginThreshold: Double, confidentLexicalWeight: Double, uncertainLexicalWeight: Double, k: Double) {
        self.marginThreshold = marginThreshold
        self.confidentLexicalWeight = confidentLexicalWeight
        self.uncertainLexicalWeight = uncertainLexicalWeight
        self.k = k
    }

    public static let `default` = AdaptiveFusion(marginThreshold: 1.3, confidentLexicalWeight: 0.9, uncertainLexicalWeight: 0.3, k: 60)

    /// The lexical weight for a query whose lexical list (best first) is `lexical`.
    public func lexicalWeight(_ lexical: [RankedCandidate]) -> Double {
        guard let first = lexical.first else { return uncertainLexicalWeight }
        // A single lexical hit, or a second one scoring nothing, stands out by definition.
        guard lexical.count >= 2, lexical[1].score > 0 else { return first.score > 0 ? confidentLexicalWeight : uncertainLexicalWeight }
        return first.score / lexical[1].score >= marginThreshold ? confidentLexicalWeight : uncertainLexicalWeight
    }

    /// The fused ranking, best first (ties by key, so every node cuts the list the same way).
    public func fuse(lexical: [RankedCandidate], vector: [RankedCandidate]) -> [RankedCandidate] {
        let weight = lexicalWeight(lexical)
        var scores: [String: Double] = [:]
        for (rank, candidate) in lexical.enumerated() { scores[candidate.key, default: 0] += weight / (k + Double(rank + 1)) }
        for (rank, candidate) in vector.enumerated() { scores[candidate.key, default: 0] += (1 - weight) / (k + Double(rank + 1)) }
        return scores.map { RankedCandidate(key: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
    }
}
