import StrataCore

/// What a lexical query reads of one shard -- its inverted index, liveness, chunk references
/// and metadata -- taken field by field, for the same reason as `ShardVectorView`: a method
/// of a shard read in place from a buffer copied the whole shard (a retain and a release of
/// each of its ~20 buffers) once per slot per query phase.
struct ShardLexicalView {
    let lexical: InvertedIndex
    let alive: [Bool]
    let refs: [ChunkRef]
    let metadata: [[String: String]]

    /// Scores the shard's chunks for `query` and offers the live ones passing `filter` that
    /// could rank among the heap's best, tagged with `shard` (the caller's index for this
    /// shard). A shard holding none of the query's terms costs only the term look-ups.
    func collectCandidates(_ query: PreparedLexicalQuery, shard: Int, into heap: inout LexicalCandidateHeap,
                           filter: SearchFilter, scratch: inout VectorSearchScratch) {
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

    private func admits(_ row: Int, _ filter: SearchFilter) -> Bool {
        ShardVectorView.admits(row, filter, alive: alive, refs: refs, metadata: metadata)
    }
}
