/// Picks the `k` best (score, index) pairs from a dense score array with a bounded min-heap.
///
/// `accept` is consulted only for entries that would enter the heap, so an expensive filter
/// (a path prefix, metadata) runs on a handful of rows rather than on every row. Equal scores
/// are ordered by `precedes` (the shard passes chunk-reference order), so one shard and
/// several merged shards cut ties the same way.
enum TopKSelector {
    struct Entry: Sendable {
        var index: Int
        var score: Float
    }

    /// The best `k` entries with `score > floor` that `accept`s, best first (in no particular
    /// order when `sorted` is false: the vector search re-sorts its candidates after rescoring).
    static func select(
        _ scores: UnsafeBufferPointer<Float>, k: Int, floor: Float = -.infinity, sorted: Bool = true,
        precedes: (Int, Int) -> Bool, accept: (Int) -> Bool
    ) -> [Entry] {
        func better(_ a: Entry, _ b: Entry) -> Bool {
            a.score != b.score ? a.score > b.score : precedes(a.index, b.index)
        }
        func worse(_ a: Entry, _ b: Entry) -> Bool { better(b, a) }
        guard k > 0 else { return [] }
        var heap: [Entry] = []
        heap.reserveCapacity(k)
        for i in 0..<scores.count {
            let s = scores[i]
            guard s > floor, !s.isNaN else { continue }
            if heap.count == k {
                guard s > heap[0].score || (s == heap[0].score && precedes(i, heap[0].index)) else { continue }
            }
            guard accept(i) else { continue }
            if heap.count < k {
                heap.append(Entry(index: i, score: s))
                WorstAtRootHeap.siftUp(&heap, heap.count - 1, worse: worse)
            } else {
                heap[0] = Entry(index: i, score: s)
                WorstAtRootHeap.siftDown(&heap, 0, worse: worse)
            }
        }
        return sorted ? heap.sorted(by: better) : heap
    }
}
