/// Merges per-shard result lists into one: what the coordinator does with every worker's
/// candidates.
///
/// Lexical lists must come from shards that scored with the same merged `LexicalStatistics`
/// (then BM25 scores are comparable); vector similarities always are. A hybrid query across
/// shards is: each shard returns its lexical and vector lists at fusion depth, the coordinator
/// merges each kind by score and fuses the two (`ReciprocalRankFusion`, or `AdaptiveFusion`
/// for namespaces with a server-side embedder), which gives the same result as one shard
/// holding all the chunks.
public enum ShardResultMerging {
    /// The best `k` hits of all lists, best first; ties broken by chunk order.
    public static func mergeByScore(_ lists: [[SearchHit]], k: Int) -> [SearchHit] {
        Array(lists.joined().sorted(by: SearchHit.ranksBefore).prefix(max(k, 0)))
    }

    /// The query's ranking of every shard's candidates, best `topK` first (ties by chunk order).
    ///
    /// Each hit carries its component scores: `lexicalScore` when it is in its shard's lexical
    /// list, `vectorScore` when in its vector list. Lexical and vector queries rank by that
    /// component; hybrid merges each component's list by score and fuses the two, with
    /// `adaptive` when given (`lexicalBound`: the query's BM25 score bound over the merged
    /// statistics), else with `fusion`'s weights and constant. A hybrid hit's `score` is its
    /// fused score; the others keep their component score.
    public static func merge(_ hits: [SearchHit], mode: SearchMode, topK: Int, fusion: FusionSettings,
                             adaptive: AdaptiveFusion? = nil, lexicalBound: Double = 0) -> [SearchHit] {
        func ranked(by component: KeyPath<SearchHit, Double?>, keepingAll: Bool) -> [SearchHit] {
            hits.compactMap { hit in
                guard let score = hit[keyPath: component] ?? (keepingAll ? 0 : nil) else { return nil }
                var ranked = hit
                ranked.score = score
                return ranked
            }.sorted(by: SearchHit.ranksBefore)
        }
        switch mode {
        case .lexical: return Array(ranked(by: \.lexicalScore, keepingAll: true).prefix(max(topK, 0)))
        case .vector: return Array(ranked(by: \.vectorScore, keepingAll: true).prefix(max(topK, 0)))
        case .hybrid:
            let lexical = ranked(by: \.lexicalScore, keepingAll: false)
            let vector = ranked(by: \.vectorScore, keepingAll: false)
            if let adaptive {
                return Array(adaptive.fuse(lexical: lexical, vector: vector, lexicalBound: lexicalBound).prefix(max(topK, 0)))
            }
            return ReciprocalRankFusion.fuse(lexical: lexical, vector: vector, settings: fusion, k: topK)
        }
    }
}
