/// The best INT8 candidates of one vector query over several shards of a namespace (a worker
/// holds a shard per slot), kept to `capacity` so that only those are rescored at FP16.
///
/// Rescoring each slot's own best 40 meant ~10,000 FP16 dot products per query over 256 slots
/// at 10M tokens, to answer a top-10; one selection over all of them rescores `capacity`.
/// Rows come in unsorted; whenever twice `capacity` are held the pool keeps the best
/// `capacity` and raises `floor` to the worst of them, so later shards add only rows above it.
/// Ties on the coarse score are cut by (shard, row) order: deterministic for a given layout.
public struct VectorCandidatePool: Sendable {
    /// One row of one shard with its INT8 (coarse) similarity.
    public struct Candidate: Sendable, Equatable {
        public let shard: Int
        public let row: Int
        public let coarse: Float
    }

    public let capacity: Int
    private var held: [Candidate] = []
    /// Rows scoring at or below this cannot enter (the worst kept after the last trim).
    private(set) var floor: Float = -.infinity

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        held.reserveCapacity(2 * self.capacity)
    }

    mutating func add(shard: Int, row: Int, coarse: Float) {
        held.append(Candidate(shard: shard, row: row, coarse: coarse))
        if held.count >= 2 * capacity { trim() }
    }

    /// The best `capacity` candidates, best first.
    public func best() -> [Candidate] {
        var copy = self
        copy.trim()
        return copy.held
    }

    private mutating func trim() {
        held.sort { a, b in
            if a.coarse != b.coarse { return a.coarse > b.coarse }
            return a.shard != b.shard ? a.shard < b.shard : a.row < b.row
        }
        if held.count >= capacity {
            held.removeLast(held.count - capacity)
            floor = held[capacity - 1].coarse
        }
    }
}
