/// One namespace's IVF index on a worker as its status and metrics report it: its phase and
/// the counters of its tiers (lists in memory against all lists on disk).
public struct VectorIndexReport: Sendable, Codable, Equatable {
    public var namespace: String
    /// "building" (the exact scan serves meanwhile), "ready", or "failed: <why>" (the exact
    /// scan serves).
    public var phase: String
    public var vectors: Int
    /// All zero unless ready.
    public var counters: IVFTierCounters
    /// Bytes of the namespace's vector rows the search shards hold in memory for the exact
    /// scan: 0 once the ready index serves them from its lists (on disk, the working set in
    /// `counters.residentBytes`).
    public var shardVectorBytes: Int = 0

    public init(namespace: String, phase: String, vectors: Int = 0, counters: IVFTierCounters = IVFTierCounters()) {
        self.namespace = namespace
        self.phase = phase
        self.vectors = vectors
        self.counters = counters
    }

    /// The line `strata health` shows (the status RPC carries notes).
    public var note: String {
        guard phase == "ready" else { return "ivf index of namespace \(namespace): \(phase) (exact scan serves)" }
        let c = counters
        return "ivf index of namespace \(namespace): ready, \(vectors) vectors in \(c.lists) lists, \(c.residentLists) in memory "
            + "(\(c.residentBytes) of \(c.budgetBytes) bytes), hits \(c.hits), misses \(c.misses), evictions \(c.evictions), "
            + "hit rate \(Int((c.hitRate * 100).rounded()))%, exact-scan rows in memory \(shardVectorBytes) bytes"
    }
}
