import StrataCore
import StrataSearch

extension WorkerSearchIndex {
    /// The worker's best `depth` chunks by vector over `shards` (one per slot), merged.
    ///
    /// Asking every shard for `depth` hits made each one rescore `max(4 × depth, 40)` INT8
    /// candidates at FP16: with a slot's shard far smaller than that, every chunk of every
    /// searched slot was rescored on every hybrid query (a third of the worker's CPU in
    /// `strata-bench cluster`, measured with perf). Instead each shard is first asked for a
    /// fair share (`shallowMerge`). The merged list is then the best `depth` of the shards'
    /// FP16-rescored hits, as before; what a shallow ask can change is only which INT8
    /// candidates a shard rescored (at least 40 per shard, as always).
    static func vectorLists(_ shards: [SlotSearchShard], _ query: [Float], depth: Int,
                            filter: SearchFilter) throws(StrataError) -> [ShardListMerge.Tagged] {
        let searched = shards.indices.filter { shards[$0].shard.settings.vectorDimension != nil }
        guard !searched.isEmpty, let dimension = shards[searched[0]].shard.settings.vectorDimension else { return [] }
        // Validated, normalized and quantized once for every shard, which share one scratch
        // buffer: per shard that preparation cost more than a slot's whole INT8 scan (perf).
        let prepared = try VectorQuery(query, dimension: dimension, metric: shards[searched[0]].shard.settings.metric)
        var scratch = VectorSearchScratch()
        return try shallowMerge(searched, depth: depth) { (i, k) throws(StrataError) in
            try shards[i].shard.searchVector(prepared, k: k, filter: filter, scratch: &scratch)
        }
    }

    /// The worker's best `depth` chunks by BM25 over `shards`, merged: exactly the merge of
    /// every shard's best `depth` (a shard's best k is a prefix of its best `depth`, in the
    /// same total order), but each shard is asked for its fair share first, so a slot's
    /// top-k heap holds a few entries rather than `depth` (per-slot selection and sorting of
    /// 100 entries was a fifth of a worker's CPU on hybrid queries, perf).
    static func lexicalLists(_ shards: [SlotSearchShard], _ query: LexicalQuery, statistics: StrataSearch.LexicalStatistics?,
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
