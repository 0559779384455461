/// Byte-pair merging for long pieces (long runs of spaces or punctuation) in O(n log n).
///
/// It performs exactly the merges `BytePairMerger` performs, in the same order: a min-heap
/// keyed by (rank, start byte) always yields the lowest-ranked pair and, on a tie, the
/// leftmost one; entries made stale by an earlier merge are recognized and dropped when
/// popped. tiktoken's quadratic scan would take minutes on a megabyte of spaces.
struct HeapBytePairMerger {
    let table: RankTable

    func encode(_ piece: UnsafePointer<UInt8>, _ length: Int, _ emit: (Int) -> Void) {
        // Parts form a linked list of start offsets; next[s] is the start of the part after s
        // (length for the last), pairRank[s] the rank of merging s with next[s].
        // Int32 keeps a multi-megabyte piece (a file that is one long word) within a few
        // bytes per input byte.
        var next = [Int32](repeating: 0, count: length + 1)
        var prev = [Int32](repeating: -1, count: length + 1)
        var pairRank = [Int32](repeating: Int32.max, count: length + 1)
        var alive = [Bool](repeating: true, count: length + 1)
        var heap = MinHeap()
        for s in 0..<length {
            next[s] = Int32(s + 1)
            prev[s + 1] = Int32(s)
            if s + 1 < length, let r = table.rank(piece + s, 2) {
                pairRank[s] = Int32(r)
                heap.push(UInt64(r) << 32 | UInt64(s))
            }
        }
        next[length] = Int32(length)

        func recompute(_ s: Int) {
            let after = Int(next[s])
            guard after < length else { pairRank[s] = Int32.max; return }
            let end = Int(next[after])
            if let r = table.rank(piece + s, end - s) {
                pairRank[s] = Int32(r)
                heap.push(UInt64(r) << 32 | UInt64(s))
            } else {
                pairRank[s] = Int32.max
            }
        }

        while let top = heap.pop() {
            let r = Int(top >> 32)
            let s = Int(top & 0xFFFF_FFFF)
            guard alive[s], Int(pairRank[s]) == r else { continue }
            let removed = Int(next[s])
            alive[removed] = false
            next[s] = next[removed]
            prev[Int(next[removed])] = Int32(s)
            recompute(s)
            if prev[s] >= 0 { recompute(Int(prev[s])) }
        }

        var s = 0
        while s < length {
            let end = Int(next[s])
            emit(table.rank(piece + s, end - s)!)
            s = end
        }
    }
}

/// A binary min-heap of packed (rank, position) keys.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, items[l] < items[m] { m = l }
                if r < items.count, items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(m, i)
                i = m
            }
        }
        return first
    }
}
