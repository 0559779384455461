import StrataCore

/// The two query phases over some of the worker's slots. Pure over a snapshot of the shards;
/// chunk text is added by the caller (it lives in the store).
extension SlotSearchIndex {
    /// The shards of `namespace` in `slots` (copy-on-write snapshots) and its dimension.
    public func snapshot(namespace: String, slots: [UInt32]) -> (shards: [SlotSearchShard], dimension: Int?) {
        state.withLock { state in
            (Set(slots).sorted().compactMap { state.shards[Key(namespace: namespace, slot: $0)] }, state.dimensions[namespace])
        }
    }

    /// BM25 statistics of `terms` (already analyzed by the coordinator, with the same
    /// `CodeTermAnalyzer`) over the namespace's chunks in `slots`. Like BM25 over one index,
    /// they count every chunk, whatever the query's filter (document prefix or metadata): the
    /// sums over all workers are then what one worker holding everything would use, a term's
    /// weight does not change with the filter, and a filtered answer ranks its chunks exactly
    /// as the unfiltered answer ranks them (it is that ranking with the other chunks left out).
    public func statistics(namespace: String, slots: [UInt32], terms: [String]) -> TermCounts {
        Self.termCounts(snapshot(namespace: namespace, slots: slots).shards, terms: terms)
    }

    /// Searches the namespace's chunks in `request.slots`.
    ///
    /// - lexical / vector: the best `top_k` by BM25 (under `global_statistics` when given,
    ///   else this worker's own over the requested slots) or by similarity, each candidate
    ///   with its component score and 1-based rank.
    /// - hybrid: this worker's lexical and vector lists, each `max(top_k, fusion depth)` deep
    ///   (capped at the maximum top-k), every chunk of either list with both component scores
    ///   and ranks (0: not in that list), best fused score first. That is more than `top_k`
    ///   candidates: the coordinator merges the lexical and vector lists of all workers by
    ///   score and fuses them (`ShardResultMerging.merge`), which equals one worker holding
    ///   everything only when it has every worker's full lists.
    ///
    /// `global_statistics.document_frequencies` must follow the terms of
    /// `LexicalQuery(text:)` in order (what CollectStatistics was asked for).
    public func search(_ request: SlotQuery) throws(StrataError) -> [SlotCandidate] {
        let plan = try SlotQueryPlan(request, index: self)
        if plan.matchesNothing { return [] }
        let (shards, dimension) = snapshot(namespace: request.namespace, slots: request.slots)
        if let vector = plan.vector {
            try VectorValidation.validate(vector, dimension: dimension ?? vector.count, field: "vector")
            if settings.metric == .cosine, !vector.contains(where: { $0 != 0 }) {
                throw .invalidArgument("vector is all zeros; cosine similarity needs a nonzero vector")
            }
        }
        var lexical: [ShardListMerge.Tagged] = []
        var vector: [ShardListMerge.Tagged] = []
        if let query = plan.lexical {
            let statistics = try plan.globalStatistics(for: query)
                ?? Self.termCounts(shards, terms: query.terms).statistics(terms: query.terms)
            lexical = Self.lexicalLists(shards, query, statistics: statistics, depth: plan.depth, filter: plan.filter)
        }
        // A worker that has seen no vector of the namespace holds none to rank.
        if let query = plan.vector, dimension != nil {
            vector = try Self.vectorLists(shards, query, depth: plan.depth, filter: plan.filter)
        }
        func candidate(_ tagged: ShardListMerge.Tagged, _ hit: SearchHit, lexicalRank: UInt32, vectorRank: UInt32) -> SlotCandidate? {
            guard let detail = shards[tagged.shard].details[hit.ref] else { return nil }
            return SlotCandidate(ref: hit.ref, detail: detail, score: hit.score, lexicalScore: hit.lexicalScore ?? 0,
                                 vectorScore: hit.vectorScore ?? 0, lexicalRank: lexicalRank, vectorRank: vectorRank)
        }
        switch plan.mode {
        // One list: its own order is the rank, no look-up by reference needed.
        case .lexical:
            return lexical.prefix(plan.topK).enumerated().compactMap { i, tagged in
                candidate(tagged, SearchHit(ref: tagged.hit.ref, score: tagged.hit.score, lexicalScore: tagged.hit.score),
                          lexicalRank: UInt32(i + 1), vectorRank: 0)
            }
        case .vector:
            return vector.prefix(plan.topK).enumerated().compactMap { i, tagged in
                candidate(tagged, SearchHit(ref: tagged.hit.ref, score: tagged.hit.score, vectorScore: tagged.hit.score),
                          lexicalRank: 0, vectorRank: UInt32(i + 1))
            }
        case .hybrid:
            var owner: [ChunkRef: (tagged: ShardListMerge.Tagged, lexicalRank: UInt32, vectorRank: UInt32)] = [:]
            owner.reserveCapacity(lexical.count + vector.count)
            for (i, tagged) in lexical.enumerated() { owner[tagged.hit.ref] = (tagged, UInt32(i + 1), 0) }
            for (i, tagged) in vector.enumerated() {
                owner[tagged.hit.ref, default: (tagged, 0, 0)].vectorRank = UInt32(i + 1)
            }
            let fused = ReciprocalRankFusion.fuse(lexical: lexical.map(\.hit), vector: vector.map(\.hit), settings: plan.fusion,
                                                  k: lexical.count + vector.count)
            return fused.compactMap { hit in
                guard let found = owner[hit.ref] else { return nil }
                return candidate(found.tagged, hit, lexicalRank: found.lexicalRank, vectorRank: found.vectorRank)
            }
        }
    }
}

extension SlotSearchIndex {
    /// Where a live chunk of `namespace` with this content hash sits (the first reference in
    /// chunk order when several documents hold the same text); nil when none does.
    public func locate(namespace: String, contentHash: ContentHash) -> (ChunkRef, IndexedChunkDetail)? {
        state.withLock { state in
            var best: (ChunkRef, IndexedChunkDetail)?
            for (key, shard) in state.shards where key.namespace == namespace {
                guard let ref = shard.byHash[contentHash]?.min(), let detail = shard.details[ref] else { continue }
                if best == nil || ref < best!.0 { best = (ref, detail) }
            }
            return best
        }
    }
}
