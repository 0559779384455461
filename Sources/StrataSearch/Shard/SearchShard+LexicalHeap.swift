import StrataCore

// A lexical query over many shards: every shard's BM25 scores feed one `LexicalCandidateHeap`.
extension SearchShard {
    /// Scores this shard's chunks for `query` and offers the live ones passing `filter` that
    /// could rank among the heap's best, tagged with `shard` (the caller's index for this
    /// shard). A shard holding none of the query's terms costs only the term look-ups.
    ///
    /// Reads the shard's fields in place: a worker calls it on each slot's shard inside its
    /// `SlotSearchShard` box, with no copy of the shard or of its inverted index (building a
    /// view of copied fields retained and released the index's 17 buffers per slot per query).
    public func collectLexicalCandidates(_ query: PreparedLexicalQuery, shard: Int, into heap: inout LexicalCandidateHeap,
                                         filter: SearchFilter = .none, scratch: inout VectorSearchScratch) {
        scratch.withScores(count: alive.count) { scores in
            guard lexical.accumulate(query, into: scores) else { return }
            for slot in 0..<scores.count {
                let score = scores[slot]
                // `> 0` is false for NaN too; an unmatched chunk scores exactly 0.
                guard score > 0, heap.mayEnter(score), admits(slot, filter) else { continue }
                heap.offer(LexicalCandidateHeap.Candidate(ref: refs[slot], score: score, shard: shard))
            }
        }
    }
}
