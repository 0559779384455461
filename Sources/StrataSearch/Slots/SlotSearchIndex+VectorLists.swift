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
        // In place, not copied shard by shard (see `termCounts`).
        try shards.withUnsafeBufferPointer { (shards) throws(StrataError) -> [ShardListMerge.Tagged] in
            let searched = shards.indices.filter { shards[$0].shard.settings.vectorDimension != nil }
            guard !searched.isEmpty, depth > 0, let dimension = shards[searched[0]].shard.settings.vectorDimension else { return [] }
            // Validated, normalized and quantized once for every shard, which share one scratch
            // buffer: per shard that preparation cost more than a slot's whole INT8 scan (perf).
            let settings = shards[searched[0]].shard.settings
            let prepared = try VectorQuery(query, dimension: dimension, metric: settings.metric)
            var pool = VectorCandidatePool(capacity: rescoreCandidates(depth: depth, factor: settings.rescoreFactor))
            var scratch = VectorSearchScratch()
            // Each shard's view built from its fields, never by a method of the shard read in
            // place (that copies the whole shard; see `ShardVectorView`). Pool entries are
            // tagged with the view's position; the hits carry the shard's.
            var views: [ShardVectorView] = []
            views.reserveCapacity(searched.count)
            for i in searched {
                let view = try ShardVectorView(vectors: shards[i].shard.vectors, dimension: shards[i].shard.settings.vectorDimension,
                                               alive: shards[i].shard.alive, refs: shards[i].shard.refs,
                                               metadata: shards[i].shard.metadata, for: prepared)
                view.collectCandidates(prepared, shard: views.count, into: &pool, filter: filter, scratch: &scratch)
                views.append(view)
            }
            let hits = views.withUnsafeBufferPointer { views in
                pool.best().map { ShardListMerge.Tagged(hit: views[$0.shard].rescoredHit(row: $0.row, prepared), shard: searched[$0.shard]) }
            }
            // The order ShardListMerge gives: score descending, then chunk reference; positions
            // sorted, not the hits (each move of a hit retains and releases its reference).
            var order = [Int32](0..<Int32(hits.count))
            hits.withUnsafeBufferPointer { h in
                order.sort { a, b in
                    let x = h[Int(a)].hit, y = h[Int(b)].hit
                    return x.score != y.score ? x.score > y.score : x.ref < y.ref
                }
            }
            return order.prefix(depth).map { hits[Int($0)] }
        }
    }

    /// INT8 candidates rescored per worker query: `factor` (the shards' rescore factor, 4)
    /// times the depth, and at least 400 -- ten times what one shard rescores for a top-10,
    /// for ~60 µs of FP16 work.
    static func rescoreCandidates(depth: Int, factor: Int) -> Int { max(depth * factor, 400) }
}
