import StrataCore

/// What a vector query reads of one shard -- its vectors, liveness, chunk references and
/// metadata -- taken field by field.
///
/// A worker's query reads its slot shards in place (through a buffer), but calling a method
/// of a shard read that way copies the whole value first: a retain and a release of each of
/// its ~20 buffers. Once per shard scanned and once per candidate rescored (400), that was
/// about a third of a worker's CPU on a vector top-10 at 1M tokens (perf). A view costs a
/// retain of the eight buffers it holds (five of them the `VectorStorage`'s), once per shard.
struct ShardVectorView {
    let storage: VectorStorage
    let alive: [Bool]
    let refs: [ChunkRef]
    let metadata: [[String: String]]

    /// The view of a shard's vectors for `query`; throws when the query does not fit them.
    init(vectors: VectorStorage?, dimension: Int?, alive: [Bool], refs: [ChunkRef], metadata: [[String: String]],
         for query: VectorQuery) throws(StrataError) {
        guard let storage = vectors, let dimension else {
            throw .invalidArgument("query.vector given but this namespace has no vector dimension")
        }
        guard storage.resident else {
            throw StrataError(.unavailable, "the namespace's vectors are being reloaded for the exact scan; retry")
        }
        guard query.dimension == dimension, query.metric == storage.metric else {
            throw .invalidArgument("query.vector has \(query.dimension) dimensions (\(query.metric)), expected \(dimension) (\(storage.metric))")
        }
        self.storage = storage
        self.alive = alive
        self.refs = refs
        self.metadata = metadata
    }

    /// Scans the shard at INT8 and adds the live rows passing `filter` that beat the pool's
    /// floor, tagged with `shard` (the caller's index for this shard).
    func collectCandidates(_ query: VectorQuery, shard: Int, into pool: inout VectorCandidatePool,
                           filter: SearchFilter, scratch: inout VectorSearchScratch) {
        scratch.withScores(count: storage.rowCount) { scores in
            storage.scanInt8(query.prepared, into: scores)
            for row in 0..<scores.count where scores[row] > pool.floor {  // false for NaN too
                if storage.present[row] && admits(row, filter) { pool.add(shard: shard, row: row, coarse: scores[row]) }
            }
        }
    }

    /// The FP16-rescored hit of a row this view added to a pool for the same query.
    func rescoredHit(row: Int, _ query: VectorQuery) -> SearchHit {
        SearchHit(ref: refs[row], score: Double(storage.rescore(row: row, query.prepared)))
    }

    private func admits(_ row: Int, _ filter: SearchFilter) -> Bool {
        SearchShard.admits(row, filter, alive: alive, refs: refs, metadata: metadata)
    }
}

extension SearchShard {
    /// This shard's view for a vector query (see `ShardVectorView` for why callers that read
    /// shards in place build it field by field instead).
    func vectorView(for query: VectorQuery) throws(StrataError) -> ShardVectorView {
        try ShardVectorView(vectors: vectors, dimension: settings.vectorDimension, alive: alive, refs: refs, metadata: metadata, for: query)
    }
}
