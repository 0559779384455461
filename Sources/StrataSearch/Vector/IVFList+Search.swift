import StrataCore

/// The search over probed lists, shared by the in-memory and the tiered index: every probed
/// list's INT8 scan feeds one `VectorCandidatePool` (tagged by list), then only the pool's best
/// are rescored at FP16 -- the exact scan's two steps over a few partitions instead of all rows.
extension IVFList {
    /// The best `k` live vectors among `probed` lists (fetched by `list`) that `admits` accepts.
    static func search(_ query: VectorQuery, k: Int, probed: [Int], rescoreCandidates: Int,
                       admits: (UInt64) -> Bool, scratch: inout VectorSearchScratch,
                       list: (Int) throws(StrataError) -> IVFList) throws(StrataError) -> [IVFHit] {
        var pool = VectorCandidatePool(capacity: max(rescoreCandidates, k))
        var scanned: [IVFList] = []
        scanned.reserveCapacity(probed.count)
        for number in probed {
            let partition = try list(number)
            let tag = scanned.count
            scanned.append(partition)
            let storage = partition.vectors
            scratch.withScores(count: storage.rowCount) { scores in
                storage.scanInt8(query.prepared, into: scores)
                for row in 0..<scores.count where scores[row] > pool.floor {  // false for NaN too
                    if storage.present[row] && admits(partition.ids[row]) { pool.add(shard: tag, row: row, coarse: scores[row]) }
                }
            }
        }
        var hits = pool.best().map { candidate in
            IVFHit(id: scanned[candidate.shard].ids[candidate.row],
                   score: scanned[candidate.shard].vectors.rescore(row: candidate.row, query.prepared))
        }
        hits.sort { a, b in a.score != b.score ? a.score > b.score : a.id < b.id }
        return Array(hits.prefix(k))
    }
}
