import StrataCore

/// The best `capacity` chunks of one lexical query over several shards of a namespace (a
/// worker holds a shard per slot), in one bounded heap that every shard's scan feeds.
///
/// Asking each slot's shard for its own best and merging the lists cost a score buffer, a heap
/// and a result list per slot, and a second round for slots cut short (per-slot search was
/// 20 times the cost of one shard holding everything at 1M tokens). Here each shard offers
/// only rows that beat the worst one held, so after the first few slots almost nothing enters.
/// Order: score descending, then chunk reference -- the order every shard ranks in, so the
/// result is exactly the merge of every shard's own best `capacity`.
public struct LexicalCandidateHeap: Sendable {
    /// One chunk of one shard (the caller's index for it) with its BM25 score.
    public struct Candidate: Sendable, Equatable {
        public let ref: ChunkRef
        public let score: Float
        public let shard: Int
    }

    public let capacity: Int
    /// A min-heap by `ranksBefore`: the worst candidate held at the root.
    private var heap: [Candidate] = []

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        heap.reserveCapacity(min(self.capacity, 1024))
    }

    /// Whether a row scoring `score` could enter (a tie with the worst held may, by reference).
    @inline(__always)
    func mayEnter(_ score: Float) -> Bool {
        heap.count < capacity || score >= heap[0].score
    }

    /// Adds `candidate` when it is among the best `capacity` seen so far.
    mutating func offer(_ candidate: Candidate) {
        if heap.count < capacity {
            heap.append(candidate)
            WorstAtRootHeap.siftUp(&heap, heap.count - 1) { Self.ranksBefore($1, $0) }
        } else if Self.ranksBefore(candidate, heap[0]) {
            heap[0] = candidate
            WorstAtRootHeap.siftDown(&heap, 0) { Self.ranksBefore($1, $0) }
        }
    }

    /// The candidates held, best first.
    public func best() -> [Candidate] { heap.sorted(by: Self.ranksBefore) }

    static func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool {
        a.score != b.score ? a.score > b.score : a.ref < b.ref
    }
}
