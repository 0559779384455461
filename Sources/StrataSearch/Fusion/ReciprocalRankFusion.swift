/// Weighted reciprocal rank fusion of a lexical and a vector result list.
///
/// Pure, so the coordinator can fuse lists it merged by score from several shards (BM25
/// scores are comparable across shards under merged statistics, vector similarities always
/// are) exactly as a single shard fuses its own.
public enum ReciprocalRankFusion {
    /// Fuses two lists, each best first, and returns the best `k`, best first. Ties are broken
    /// by chunk order so results are deterministic.
    public static func fuse(lexical: [SearchHit], vector: [SearchHit], settings: FusionSettings, k: Int) -> [SearchHit]
    {
        var fused: [ChunkRef: SearchHit] = [:]
        fused.reserveCapacity(lexical.count + vector.count)
        for (rank, hit) in lexical.enumerated() {
            let contribution = settings.lexicalWeight / (settings.k + Double(rank + 1))
            fused[hit.ref, default: SearchHit(ref: hit.ref, score: 0)].score += contribution
            fused[hit.ref]!.lexicalScore = hit.score
        }
        for (rank, hit) in vector.enumerated() {
            let contribution = settings.vectorWeight / (settings.k + Double(rank + 1))
            fused[hit.ref, default: SearchHit(ref: hit.ref, score: 0)].score += contribution
            fused[hit.ref]!.vectorScore = hit.score
        }
        let ordered = fused.values.sorted { a, b in
            a.score != b.score ? a.score > b.score : a.ref < b.ref
        }
        return Array(ordered.prefix(k))
    }
}
