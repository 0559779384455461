/// Merges per-shard result lists into one, for the coordinator.
///
/// Lexical lists must come from shards that scored with the same merged `LexicalStatistics`
/// (then BM25 scores are comparable); vector similarities always are. A hybrid query across
/// shards is: each shard returns its lexical and vector lists at fusion depth, the coordinator
/// merges each kind with `mergeByScore` and fuses the two with `ReciprocalRankFusion.fuse`,
/// which gives the same result as one shard holding all the chunks.
public enum ShardResultMerging {
    /// The best `k` hits of all lists, best first; ties broken by chunk order.
    public static func mergeByScore(_ lists: [[SearchHit]], k: Int) -> [SearchHit] {
        let all = lists.joined().sorted { a, b in
            a.score != b.score ? a.score > b.score : a.ref < b.ref
        }
        return Array(all.prefix(max(k, 0)))
    }
}
