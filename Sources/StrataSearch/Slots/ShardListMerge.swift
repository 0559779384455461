/// Merges per-shard hit lists (each best first) into the best `k`, remembering which shard
/// each hit came from. Score descending, then chunk reference:
/// the order every shard ranks in, so a coordinator merging several workers' lists by score
/// gets what one worker holding every slot returns. A k-way merge over the list heads instead
/// of a sort of every hit (a worker merges a list per slot, up to fusion depth each).
public enum ShardListMerge {
    /// A hit and the index of the list it came from.
    public struct Tagged: Sendable {
        public var hit: SearchHit
        public var shard: Int
    }

    public static func merge(_ lists: [(shard: Int, hits: [SearchHit])], k: Int) -> [Tagged] {
        func better(_ a: SearchHit, _ b: SearchHit) -> Bool { a.score != b.score ? a.score > b.score : a.ref < b.ref }
        // Heap of (list, position) by the hit at that position, best at the root.
        var heap: [(list: Int, position: Int)] = lists.indices.filter { !lists[$0].hits.isEmpty }.map { ($0, 0) }
        func head(_ entry: (list: Int, position: Int)) -> SearchHit { lists[entry.list].hits[entry.position] }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var best = left
                if left + 1 < heap.count, better(head(heap[left + 1]), head(heap[left])) { best = left + 1 }
                guard better(head(heap[best]), head(heap[parent])) else { return }
                heap.swapAt(best, parent)
                parent = best
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        var merged: [Tagged] = []
        merged.reserveCapacity(max(0, k))
        while merged.count < k, let top = heap.first {
            merged.append(Tagged(hit: head(top), shard: lists[top.list].shard))
            if top.position + 1 < lists[top.list].hits.count {
                heap[0].position += 1
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
        return merged
    }
}
