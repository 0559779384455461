import StrataCore

// A lexical query over many shards: every shard's BM25 scores feed one `LexicalCandidateHeap`.
extension SearchShard {
    /// Scores this shard's chunks for `query` and offers the live ones passing `filter` that
    /// could rank among the heap's best, tagged with `shard` (the caller's index for this
    /// shard). A shard holding none of the query's terms costs only the term look-ups.
    public func collectLexicalCandidates(_ query: PreparedLexicalQuery, shard: Int, into heap: inout LexicalCandidateHeap,
                                         filter: SearchFilter = .none, scratch: inout VectorSearchScratch) {
        ShardLexicalView(lexical: lexical, alive: alive, refs: refs, metadata: metadata)
            .collectCandidates(query, shard: shard, into: &heap, filter: filter, scratch: &scratch)
    }
}
