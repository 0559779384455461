import StrataCore

// A vector query over many shards in two steps: every shard's INT8 scan feeds one
// `VectorCandidatePool`, then only the pool's best are rescored at FP16.
extension SearchShard {
    /// Scans this shard at INT8 and adds the live rows passing `filter` that beat the pool's
    /// floor, tagged with `shard` (the caller's index for this shard).
    public func collectVectorCandidates(_ query: VectorQuery, shard: Int, into pool: inout VectorCandidatePool,
                                        filter: SearchFilter = .none, scratch: inout VectorSearchScratch) throws(StrataError) {
        let storage = try vectorStorage(for: query)
        scratch.withScores(count: storage.rowCount) { scores in
            storage.scanInt8(query.prepared, into: scores)
            for row in 0..<scores.count where scores[row] > pool.floor {  // false for NaN too
                if storage.present[row] && admits(row, filter) { pool.add(shard: shard, row: row, coarse: scores[row]) }
            }
        }
    }

    /// The FP16-rescored hit of a row this shard added to a pool for the same query.
    public func rescoredHit(row: Int, _ query: VectorQuery) throws(StrataError) -> SearchHit {
        let storage = try vectorStorage(for: query)
        return SearchHit(ref: refs[row], score: Double(storage.rescore(row: row, query.prepared)))
    }

    /// The shard's vectors, when `query` fits them.
    func vectorStorage(for query: VectorQuery) throws(StrataError) -> VectorStorage {
        guard let storage = vectors, let dimension = settings.vectorDimension else {
            throw .invalidArgument("query.vector given but this namespace has no vector dimension")
        }
        guard storage.resident else {
            throw StrataError(.unavailable, "the namespace's vectors are being reloaded for the exact scan; retry")
        }
        guard query.dimension == dimension, query.metric == storage.metric else {
            throw .invalidArgument("query.vector has \(query.dimension) dimensions (\(query.metric)), expected \(dimension) (\(storage.metric))")
        }
        return storage
    }
}
