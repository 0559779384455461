import StrataCore

/// The two query phases over some of the worker's slots. Pure over a snapshot of the shards;
/// chunk text is added by the caller (it lives in the store).
extension SlotSearchIndex {
    /// The shards of `namespace` in `slots` and its dimension: one retained box per slot
    /// (`SlotSearchShard` copies on write), which later writes to the index leave unchanged.
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
    ///
    /// Counted under the lock, in place: a few term look-ups per slot, where a snapshot of
    /// every slot's shard copied each (a retain and a release of its ~20 buffers, see
    /// `termCounts`) on every query's first phase.
    public func statistics(namespace: String, slots: [UInt32], terms: [String]) -> TermCounts {
        let keys = terms.map(TermKey.init)  // hashed once, outside the lock, for every slot
        return state.withLock { state in
            var chunks = 0
            var length = 0
            var frequencies = [UInt64](repeating: 0, count: terms.count)
            for slot in Set(slots) {
                // `&`: a dictionary's value is reached in place only by a modifying access.
                Self.addTermStatistics(&state.shards[Key(namespace: namespace, slot: slot)], keys, into: &frequencies,
                                       chunks: &chunks, length: &length)
            }
            return TermCounts(chunkCount: UInt64(chunks), totalLength: UInt64(length), documentFrequencies: frequencies)
        }
    }

    private static func addTermStatistics(_ shard: inout SlotSearchShard?, _ keys: [TermKey], into frequencies: inout [UInt64],
                                          chunks: inout Int, length: inout Int) {
        guard let local = shard?.shard.addTermStatistics(keys, into: &frequencies) else { return }
        chunks += local.documents
        length += local.totalLength
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
        var (shards, dimension) = snapshot(namespace: request.namespace, slots: request.slots)
        if let vector = plan.vector {
            try VectorValidation.validate(vector, dimension: dimension ?? vector.count, field: "vector")
            if settings.metric == .cosine, !vector.contains(where: { $0 != 0 }) {
                throw .invalidArgument("vector is all zeros; cosine similarity needs a nonzero vector")
            }
        }
        var lexical: [ShardListMerge.Tagged] = []
        var vector: [ShardListMerge.Tagged] = []
        // A worker that has seen no vector of the namespace holds none to rank.
        if let query = plan.vector, dimension != nil {
            if let throughIVF = try vectorListsThroughIVF(request, shards, query, plan: plan) {
                vector = throughIVF
            } else {
                if shards.contains(where: { $0.shard.vectorsOffloaded }) {
                    // The IVF index stopped serving (failed, or discarded to be built again)
                    // after the shards dropped their rows: the exact scan gets them back.
                    reload(namespace: request.namespace)
                    shards = snapshot(namespace: request.namespace, slots: request.slots).shards
                }
                vector = try Self.vectorLists(shards, query, depth: plan.depth, filter: plan.filter)
            }
        }
        if let query = plan.lexical {
            let statistics = try plan.globalStatistics(for: query)
                ?? Self.termCounts(shards, terms: query.terms).statistics(terms: query.terms)
            lexical = Self.lexicalLists(shards, query, statistics: statistics, depth: plan.depth, filter: plan.filter)
        }
        return shards.withUnsafeBufferPointer { shards in  // in place, not copied per candidate (see `termCounts`)
            Self.candidates(plan: plan, lexical: lexical, vector: vector, shards: shards)
        }
    }

    /// The candidates of the lists under the query's mode, each with its chunk's details.
    private static func candidates(plan: SlotQueryPlan, lexical: [ShardListMerge.Tagged], vector: [ShardListMerge.Tagged],
                                   shards: UnsafeBufferPointer<SlotSearchShard>) -> [SlotCandidate] {
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
            // Every chunk of either list, best fused first; its ranks are its places in the lists.
            let fused = FusedRanking(lexical: lexical.map(\.hit.ref), vector: vector.map(\.hit.ref), lexicalWeight: plan.fusion.lexicalWeight,
                                     vectorWeight: plan.fusion.vectorWeight, k: plan.fusion.k, limit: lexical.count + vector.count)
            return fused.entries.compactMap { entry in
                let inLexical = entry.lexical >= 0 ? lexical[Int(entry.lexical)] : nil
                let inVector = entry.vector >= 0 ? vector[Int(entry.vector)] : nil
                let tagged = (inLexical ?? inVector)!
                return candidate(tagged, SearchHit(ref: tagged.hit.ref, score: entry.score, lexicalScore: inLexical?.hit.score,
                                                   vectorScore: inVector?.hit.score),
                                 lexicalRank: UInt32(entry.lexical + 1), vectorRank: UInt32(entry.vector + 1))
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
