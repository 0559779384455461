/// Weighted reciprocal rank fusion of a lexical and a vector result list: a chunk's fused score
/// is `lexicalWeight / (k + lexicalRank) + vectorWeight / (k + vectorRank)` (ranks from 1; a
/// list the chunk is not in adds nothing).
///
/// The one implementation of the formula: a worker fuses its own lists with it, the
/// coordinator re-fuses the lists it merged by score from every worker (`ShardResultMerging`;
/// BM25 scores are comparable across shards under merged statistics, vector similarities
/// always are), and `AdaptiveFusion` builds on it.
public enum ReciprocalRankFusion {
    /// Fused scores of the keys of two lists, each best first (lexical contributions added
    /// first, so every caller gets the same floating-point sums).
    public static func scores<Key: Hashable>(lexical: some Sequence<Key>, vector: some Sequence<Key>, lexicalWeight: Double,
                                             vectorWeight: Double, k: Double) -> [Key: Double] {
        var scores: [Key: Double] = [:]
        for (rank, key) in lexical.enumerated() { scores[key, default: 0] += lexicalWeight / (k + Double(rank + 1)) }
        for (rank, key) in vector.enumerated() { scores[key, default: 0] += vectorWeight / (k + Double(rank + 1)) }
        return scores
    }

    /// Fuses two lists, each best first, and returns the best `k`, best first, each with its
    /// component scores. Ties are broken by chunk order so results are deterministic.
    public static func fuse(lexical: [SearchHit], vector: [SearchHit], settings: FusionSettings, k: Int) -> [SearchHit] {
        SearchHit.fused(FusedRanking(lexical: lexical.map(\.ref), vector: vector.map(\.ref), lexicalWeight: settings.lexicalWeight,
                                     vectorWeight: settings.vectorWeight, k: settings.k, limit: k), lexical: lexical, vector: vector)
    }
}

extension SearchHit {
    /// The fused entries as hits, each with its score in `lexical` and `vector` when it is in
    /// that list (its first place there).
    static func fused(_ ranking: FusedRanking, lexical: [SearchHit], vector: [SearchHit]) -> [SearchHit] {
        ranking.entries.map { entry in
            let inLexical = entry.lexical >= 0 ? lexical[Int(entry.lexical)] : nil
            let inVector = entry.vector >= 0 ? vector[Int(entry.vector)] : nil
            return SearchHit(ref: (inLexical ?? inVector)!.ref, score: entry.score, lexicalScore: inLexical?.score, vectorScore: inVector?.score)
        }
    }

    /// Score descending, then chunk order: the order of every ranking in Strata.
    public static func ranksBefore(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.score != b.score ? a.score > b.score : a.ref < b.ref
    }
}
