import StrataCore

extension SlotSearchIndex {
    /// The worker's best `depth` chunks by vector over `shards` (one per slot).
    ///
    /// Every shard's INT8 scan feeds one candidate pool of `rescoreCandidates(depth:)` rows,
    /// and only those are rescored at FP16. Asking each slot's shard for its own best (even
    /// a shallow share) made each rescore at least 40: about 10,000 FP16 dot products per
    /// query over 256 slots at 10M tokens, to answer a top-10 -- with the INT8 scan and the
    /// per-slot selection and sorts, most of a worker's CPU on vector queries (perf).
    static func vectorLists(_ shards: [SlotSearchShard], _ query: [Float], depth: Int,
                            filter: SearchFilter) throws(StrataError) -> [ShardListMerge.Tagged] {
        let searched = shards.indices.filter { shards[$0].shard.settings.vectorDimension != nil }
        guard !searched.isEmpty, depth > 0, let dimension = shards[searched[0]].shard.settings.vectorDimension else { return [] }
        // Validated, normalized and quantized once for every shard, which share one scratch
        // buffer: per shard that preparation cost more than a slot's whole INT8 scan (perf).
        let settings = shards[searched[0]].shard.settings
        let prepared = try VectorQuery(query, dimension: dimension, metric: settings.metric)
        var pool = VectorCandidatePool(capacity: rescoreCandidates(depth: depth, factor: settings.rescoreFactor))
        var scratch = VectorSearchScratch()
        for i in searched {
            try shards[i].shard.collectVectorCandidates(prepared, shard: i, into: &pool, filter: filter, scratch: &scratch)
        }
        var hits: [ShardListMerge.Tagged] = []
        for candidate in pool.best() {
            hits.append(ShardListMerge.Tagged(hit: try shards[candidate.shard].shard.rescoredHit(row: candidate.row, prepared),
                                              shard: candidate.shard))
        }
        // The order ShardListMerge gives: score descending, then chunk reference.
        hits.sort { a, b in a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.hit.ref < b.hit.ref }
        return Array(hits.prefix(depth))
    }

    /// INT8 candidates rescored per worker query: `factor` (the shards' rescore factor, 4)
    /// times the depth, and at least 400 -- ten times what one shard rescores for a top-10,
    /// for ~60 µs of FP16 work.
    static func rescoreCandidates(depth: Int, factor: Int) -> Int { max(depth * factor, 400) }

    /// The worker's best `depth` chunks by BM25 over `shards`, merged: exactly the merge of
    /// every shard's best `depth` (a shard's best k is a prefix of its best `depth`, in the
    /// same total order), but each shard is asked for its fair share first, so a slot's
    /// top-k heap holds a few entries rather than `depth` (per-slot selection and sorting of
    /// 100 entries was a fifth of a worker's CPU on hybrid queries, perf).
    static func lexicalLists(_ shards: [SlotSearchShard], _ query: LexicalQuery, statistics: LexicalStatistics?,
                             depth: Int, filter: SearchFilter) throws(StrataError) -> [ShardListMerge.Tagged] {
        try shallowMerge(Array(shards.indices), depth: depth) { (i, k) throws(StrataError) in
            try shards[i].shard.searchLexical(query, statistics: statistics, k: k, filter: filter)
        }
    }

    /// Merges the best `depth` hits of the `searched` shards, asking each first for
    /// `initialShardDepth`; only a shard whose whole list made the merged best `depth` -- it
    /// may hold more that belong there -- is asked again, four times deeper, until no shard is
    /// cut short or each gives `depth`. A shard that returned fewer than asked has nothing
    /// more that passes the filter.
    static func shallowMerge(_ searched: [Int], depth: Int,
                             _ search: (Int, Int) throws(StrataError) -> [SearchHit]) throws(StrataError) -> [ShardListMerge.Tagged] {
        guard !searched.isEmpty, depth > 0 else { return [] }
        let count = (searched.max() ?? 0) + 1
        var asked = [Int](repeating: 0, count: count)
        var hits = [[SearchHit]](repeating: [], count: count)
        var pending = searched
        let first = initialShardDepth(depth: depth, shards: searched.count)
        for i in searched { asked[i] = first }
        while true {
            for i in pending { hits[i] = try search(i, asked[i]) }
            let merged = ShardListMerge.merge(searched.map { ($0, hits[$0]) }, k: depth)
            var kept = [Int](repeating: 0, count: count)
            for tagged in merged { kept[tagged.shard] += 1 }
            pending = searched.filter { asked[$0] < depth && hits[$0].count == asked[$0] && kept[$0] == asked[$0] }
            if pending.isEmpty { return merged }
            for i in pending { asked[i] = min(depth, asked[i] * 4) }
        }
    }

    /// Twice a shard's even share of `depth`, at least 8 (a slot's shard seldom holds the
    /// best of many more), at most `depth`.
    static func initialShardDepth(depth: Int, shards: Int) -> Int {
        min(depth, max(8, 2 * ((depth + shards - 1) / max(shards, 1))))
    }
}
