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
        rankedPositions(hits, mode: mode, topK: topK, fusion: fusion, adaptive: adaptive, lexicalBound: lexicalBound).map { ranked in
            var hit = hits[ranked.position]
            hit.score = ranked.score
            return hit
        }
    }

    /// `merge`'s ranking as positions in `hits` with their scores under the query's mode, so a
    /// caller holding more than the hits (the coordinator's candidates) keeps them in place.
    /// The hits are never moved: positions are sorted by score arrays (`FusedRanking`).
    public static func rankedPositions(_ hits: [SearchHit], mode: SearchMode, topK: Int, fusion: FusionSettings,
                                       adaptive: AdaptiveFusion? = nil, lexicalBound: Double = 0) -> [(position: Int, score: Double)] {
        let refs = hits.map(\.ref)
        func ranked(by component: KeyPath<SearchHit, Double?>, keepingAll: Bool) -> (positions: [Int32], scores: [Double]) {
            var scores = [Double](repeating: 0, count: hits.count)
            var positions: [Int32] = []
            positions.reserveCapacity(hits.count)
            for i in hits.indices {
                guard let score = hits[i][keyPath: component] ?? (keepingAll ? 0 : nil) else { continue }
                scores[i] = score
                positions.append(Int32(i))
            }
            FusedRanking.sort(&positions, scores: scores, refs: refs)
            return (positions, scores)
        }
        let k = max(topK, 0)
        switch mode {
        case .lexical, .vector:
            let list = ranked(by: mode == .lexical ? \.lexicalScore : \.vectorScore, keepingAll: true)
            return list.positions.prefix(k).map { (Int($0), list.scores[Int($0)]) }
        case .hybrid:
            let lexical = ranked(by: \.lexicalScore, keepingAll: false)
            let vector = ranked(by: \.vectorScore, keepingAll: false)
            let lexicalRefs = lexical.positions.map { refs[Int($0)] }
            let vectorRefs = vector.positions.map { refs[Int($0)] }
            let ranking = adaptive?.ranking(lexical: lexicalRefs, topLexicalScore: lexical.positions.first.map { lexical.scores[Int($0)] },
                                            vector: vectorRefs, lexicalBound: lexicalBound, limit: k)
                ?? FusedRanking(lexical: lexicalRefs, vector: vectorRefs, lexicalWeight: fusion.lexicalWeight,
                                vectorWeight: fusion.vectorWeight, k: fusion.k, limit: k)
            return ranking.entries.map { entry in
                (Int(entry.lexical >= 0 ? lexical.positions[Int(entry.lexical)] : vector.positions[Int(entry.vector)]), entry.score)
            }
        }
    }
}
