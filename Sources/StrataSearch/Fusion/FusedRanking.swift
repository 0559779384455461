/// Weighted reciprocal rank fusion computed over positions in the two lists, not over hits.
///
/// Every fusion in Strata (a shard's, a worker's over its slots, the coordinator's over its
/// workers, the adaptive one) comes here. Ranking `SearchHit`s by value -- sorting them, and
/// keying dictionaries of scores and of fused hits by chunk reference -- moved structs that
/// hold a `String` (a retain and a release per move) and hashed every reference three times:
/// most of a hybrid query's merge and fusion time (perf on `strata-bench search`). Here each
/// chunk is hashed once, the fused scores live in one array, and 32-bit entry numbers are
/// sorted, the chunk reference read only to break a tie. The order and the floating-point
/// sums are those of `ReciprocalRankFusion.scores` (lexical contributions added first).
public struct FusedRanking: Sendable {
    /// One chunk of the fusion: where it first appears in each list (-1: not in that list) and
    /// its fused score.
    public struct Entry: Sendable, Equatable {
        public var lexical: Int32
        public var vector: Int32
        public var score: Double
    }

    /// The fused entries, best first (score descending, then chunk order), at most the limit.
    public private(set) var entries: [Entry]

    /// Fuses `lexical` and `vector` (each best first; a chunk listed twice in one list adds
    /// both contributions, as the dictionary sum did) and keeps the best `limit`. With
    /// `pinnedLexical` > 0, the first that many lexical chunks get scores above every fused
    /// one, in lexical order (`AdaptiveFusion`).
    public init(lexical: [ChunkRef], vector: [ChunkRef], lexicalWeight: Double, vectorWeight: Double, k: Double,
                limit: Int, pinnedLexical: Int = 0) {
        var ids: [ChunkRef: Int32] = [:]
        ids.reserveCapacity(lexical.count + vector.count)
        var all: [Entry] = []
        all.reserveCapacity(lexical.count + vector.count)
        var lexicalIDs: [Int32] = []
        lexicalIDs.reserveCapacity(min(pinnedLexical, lexical.count))
        for (rank, ref) in lexical.enumerated() {
            let contribution = lexicalWeight / (k + Double(rank + 1))
            let id: Int32
            if let known = ids[ref] {
                id = known
                all[Int(id)].score += contribution
            } else {
                id = Int32(all.count)
                ids[ref] = id
                all.append(Entry(lexical: Int32(rank), vector: -1, score: 0 + contribution))
            }
            if rank < pinnedLexical { lexicalIDs.append(id) }
        }
        for (rank, ref) in vector.enumerated() {
            let contribution = vectorWeight / (k + Double(rank + 1))
            if let id = ids[ref] {
                all[Int(id)].score += contribution
                if all[Int(id)].vector < 0 { all[Int(id)].vector = Int32(rank) }
            } else {
                ids[ref] = Int32(all.count)
                all.append(Entry(lexical: -1, vector: Int32(rank), score: 0 + contribution))
            }
        }
        // Above any fused score (each is at most 1 / (k + 1) per unit of weight), in BM25's order.
        for (rank, id) in lexicalIDs.enumerated() { all[Int(id)].score = 2 - Double(rank) / Double(pinnedLexical) }
        var order = [Int32](0..<Int32(all.count))
        all.withUnsafeBufferPointer { e in
            lexical.withUnsafeBufferPointer { l in
                vector.withUnsafeBufferPointer { v in
                    func ref(_ entry: Entry) -> ChunkRef { entry.lexical >= 0 ? l[Int(entry.lexical)] : v[Int(entry.vector)] }
                    order.sort { a, b in
                        let x = e[Int(a)], y = e[Int(b)]
                        return x.score != y.score ? x.score > y.score : ref(x) < ref(y)
                    }
                }
            }
        }
        entries = order.prefix(max(limit, 0)).map { all[Int($0)] }
    }

    /// Sorts positions of `scores` best first: score descending, then `ref(position)`'s chunk
    /// order (the order of every ranking in Strata). For ranking hits without moving them.
    public static func sort(_ positions: inout [Int32], scores: [Double], refs: [ChunkRef]) {
        scores.withUnsafeBufferPointer { s in
            refs.withUnsafeBufferPointer { r in
                positions.sort { a, b in
                    let x = s[Int(a)], y = s[Int(b)]
                    return x != y ? x > y : r[Int(a)] < r[Int(b)]
                }
            }
        }
    }
}
