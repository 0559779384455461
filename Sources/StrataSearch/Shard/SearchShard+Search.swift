import StrataCore

extension SearchShard {
    /// This shard's statistics for `query`'s terms, to be merged with the other shards'.
    public func statistics(for query: LexicalQuery) -> LexicalStatistics {
        var frequencies: [String: Int] = [:]
        for term in query.terms {
            let df = lexical.documentFrequency(of: term)
            if df > 0 { frequencies[term] = df }
        }
        return LexicalStatistics(
            documentCount: lexical.liveCount, totalLength: lexical.liveTotalLength, documentFrequencies: frequencies)
    }

    /// The same counts as `statistics(for:)`, added into `frequencies` (one per term, in
    /// `terms` order) without building a dictionary: a worker sums them over a shard per slot
    /// (~170) on every query. Returns the shard's live chunk count and total length.
    public func addTermStatistics(_ terms: [String], into frequencies: inout [UInt64]) -> (documents: Int, totalLength: Int) {
        addTermStatistics(terms.map(TermKey.init), into: &frequencies)
    }

    /// `addTermStatistics` of terms hashed once for every shard.
    public func addTermStatistics(_ keys: [TermKey], into frequencies: inout [UInt64]) -> (documents: Int, totalLength: Int) {
        for (i, key) in keys.enumerated() where i < frequencies.count {
            frequencies[i] += UInt64(lexical.documentFrequency(of: key))
        }
        return (lexical.liveCount, lexical.liveTotalLength)
    }

    /// Runs `request` on this shard. `statistics` are the merged lexical statistics of every
    /// shard the query goes to (nil: this shard's own).
    public func search(_ request: SearchRequest, statistics: LexicalStatistics? = nil) throws(StrataError)
        -> [SearchHit]
    {
        try validateTopK(request.topK)
        switch request.mode {
        case .lexical:
            let query = try LexicalQuery(text: request.text ?? "", analyzer: analyzer)
            return try searchLexical(query, statistics: statistics, k: request.topK, filter: request.filter)
        case .vector:
            guard let vector = request.vector else {
                throw .invalidArgument("query.vector is missing; vector mode needs one")
            }
            return try searchVector(vector, k: request.topK, filter: request.filter)
        case .hybrid:
            let fusion = request.fusion ?? settings.fusion
            try fusion.validate()
            let query = try LexicalQuery(text: request.text ?? "", analyzer: analyzer)
            guard let vector = request.vector else {
                throw .invalidArgument("query.vector is missing; hybrid mode needs text and vector")
            }
            let depth = min(max(fusion.depth, request.topK), max(settings.maximumTopK, request.topK))
            let lexicalHits = try searchLexical(query, statistics: statistics, k: depth, filter: request.filter)
            let vectorHits = try searchVector(vector, k: depth, filter: request.filter)
            return ReciprocalRankFusion.fuse(
                lexical: lexicalHits, vector: vectorHits, settings: fusion, k: request.topK)
        }
    }

    /// The best `k` live chunks by BM25 under `statistics` (nil: this shard's own).
    public func searchLexical(
        _ query: LexicalQuery, statistics: LexicalStatistics? = nil, k: Int, filter: SearchFilter = .none
    ) throws(StrataError) -> [SearchHit] {
        try validateTopK(k)
        let stats = statistics ?? self.statistics(for: query)
        var heap = LexicalCandidateHeap(capacity: k)
        var scratch = VectorSearchScratch()
        collectLexicalCandidates(PreparedLexicalQuery(query, statistics: stats, parameters: settings.bm25), shard: 0,
                                 into: &heap, filter: filter, scratch: &scratch)
        return heap.best().map { SearchHit(ref: $0.ref, score: Double($0.score)) }
    }

    /// The best `k` live chunks by similarity to `vector`: INT8 scan, then FP16 rescoring of
    /// the best `max(rescoreFactor × k, rescoreMinimum)` candidates.
    public func searchVector(_ vector: [Float], k: Int, filter: SearchFilter = .none) throws(StrataError) -> [SearchHit]
    {
        try validateTopK(k)
        guard let storage = vectors, let dimension = settings.vectorDimension else {
            throw .invalidArgument("query.vector given but this namespace has no vector dimension")
        }
        let query = try VectorQuery(vector, dimension: dimension, metric: storage.metric)
        var scratch = VectorSearchScratch()
        return rankVector(query.prepared, storage, k: k, filter: filter, scratch: &scratch)
    }

    /// INT8 scan, then FP16 rescoring of the best `max(rescoreFactor × k, rescoreMinimum)`.
    private func rankVector(_ query: PreparedVectorQuery, _ storage: VectorStorage, k: Int, filter: SearchFilter,
                            scratch: inout VectorSearchScratch) -> [SearchHit] {
        let candidates = max(k * settings.rescoreFactor, settings.rescoreMinimum)
        let coarse = scratch.withScores(count: storage.rowCount) { scores in
            storage.scanInt8(query, into: scores)
            return TopKSelector.select(UnsafeBufferPointer(scores), k: candidates, sorted: false, precedes: precedes) { slot in
                storage.present[slot] && admits(slot, filter)
            }
        }
        var rescored = coarse.map { TopKSelector.Entry(index: $0.index, score: storage.rescore(row: $0.index, query)) }
        rescored.sort { a, b in a.score != b.score ? a.score > b.score : precedes(a.index, b.index) }
        return rescored.prefix(k).map { SearchHit(ref: refs[$0.index], score: Double($0.score)) }
    }

    /// Tie order between slots: chunk-reference order, the same on every shard.
    func precedes(_ a: Int, _ b: Int) -> Bool { refs[a] < refs[b] }

    @inline(__always)
    func admits(_ slot: Int, _ filter: SearchFilter) -> Bool {
        Self.admits(slot, filter, alive: alive, refs: refs, metadata: metadata)
    }

    /// Whether the row holds a live chunk that `filter` lets through, over a shard's fields
    /// (`ShardVectorView` holds them apart from the shard).
    @inline(__always)
    static func admits(_ row: Int, _ filter: SearchFilter, alive: [Bool], refs: [ChunkRef], metadata: [[String: String]]) -> Bool {
        guard alive[row] else { return false }
        return filter.isEmpty || filter.admits(documentID: refs[row].documentID, metadata: metadata[row])
    }

    func validateTopK(_ k: Int) throws(StrataError) {
        guard k >= 1 else { throw .invalidArgument("topK is \(k); it must be at least 1") }
        guard k <= settings.maximumTopK else {
            throw StrataError(.outOfRange, "topK is \(k); the maximum is \(settings.maximumTopK)")
        }
    }
}
