import StrataCore

// A vector query over many shards in two steps: every shard's INT8 scan feeds one
// `VectorCandidatePool`, then only the pool's best are rescored at FP16.
extension SearchShard {
    /// Scans this shard at INT8 and adds the live rows passing `filter` that beat the pool's
    /// floor, tagged with `shard` (the caller's index for this shard).
    public func collectVectorCandidates(_ query: VectorQuery, shard: Int, into pool: inout VectorCandidatePool,
                                        filter: SearchFilter = .none, scratch: inout VectorSearchScratch) throws(StrataError) {
        try vectorView(for: query).collectCandidates(query, shard: shard, into: &pool, filter: filter, scratch: &scratch)
    }

    /// The FP16-rescored hit of a row this shard added to a pool for the same query.
    public func rescoredHit(row: Int, _ query: VectorQuery) throws(StrataError) -> SearchHit {
        try vectorView(for: query).rescoredHit(row: row, query)
    }
}
