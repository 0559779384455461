import StrataCore

extension SlotSearchIndex {
    /// The worker's best `depth` chunks by BM25 over `shards` (one per slot), best first.
    ///
    /// The term weights are computed once for every shard, every shard's scores feed one
    /// bounded heap (so a slot whose chunks cannot rank costs a scan of its scores, and one
    /// holding none of the terms only the term look-ups), and one score buffer serves them
    /// all. Exactly the merge of every shard's own best `depth` in the same order. Asking
    /// each slot for its share and merging the lists instead (a buffer, a heap and a list per
    /// slot, and a second round for slots cut short) made a 1M-token lexical query over 256
    /// slots about 20 times one shard's (`strata-bench search`).
    static func lexicalLists(_ shards: [SlotSearchShard], _ query: LexicalQuery, statistics: LexicalStatistics,
                             depth: Int, filter: SearchFilter) -> [ShardListMerge.Tagged] {
        guard let first = shards.first, depth > 0 else { return [] }
        let prepared = PreparedLexicalQuery(query, statistics: statistics, parameters: first.shard.settings.bm25)
        var heap = LexicalCandidateHeap(capacity: depth)
        var scratch = VectorSearchScratch()
        shards.withUnsafeBufferPointer { shards in  // in place: see `termCounts`
            for i in shards.indices {
                // In place, through the slot shard's box: no copy of the shard or its index.
                shards[i].shard.collectLexicalCandidates(prepared, shard: i, into: &heap, filter: filter, scratch: &scratch)
            }
        }
        return heap.best().map { ShardListMerge.Tagged(hit: SearchHit(ref: $0.ref, score: Double($0.score)), shard: $0.shard) }
    }

    /// BM25 statistics of `terms` over `shards`: the sums over disjoint chunks.
    ///
    /// The shards are read in place through a buffer pointer: iterating the array, or reading
    /// a field of `shards[i]`, copied each shard (a retain and a release of its ~20 arrays and
    /// dictionaries, cache misses on their headers) -- over 256 slots, 15 % of a worker's
    /// hybrid query time (perf), the same in every loop over the shards of a query.
    static func termCounts(_ shards: [SlotSearchShard], terms: [String]) -> TermCounts {
        var chunks = 0
        var length = 0
        var frequencies = [UInt64](repeating: 0, count: terms.count)
        let keys = terms.map(TermKey.init)
        shards.withUnsafeBufferPointer { shards in
            for i in shards.indices {
                // The index's fields read in place: a method of the shard copies the whole shard.
                for (k, key) in keys.enumerated() { frequencies[k] += UInt64(shards[i].shard.lexical.documentFrequency(of: key)) }
                chunks += shards[i].shard.lexical.liveCount
                length += shards[i].shard.lexical.liveTotalLength
            }
        }
        return TermCounts(chunkCount: UInt64(chunks), totalLength: UInt64(length), documentFrequencies: frequencies)
    }
}
