/// One namespace's IVF index on a worker as its status and metrics report it: its phase and
/// the counters of its tiers (lists in memory against all lists on disk).
public struct VectorIndexReport: Sendable, Codable, Equatable {
    public var namespace: String
    /// "building" (the exact scan serves meanwhile), "ready", or "failed: <why>" (the exact
    /// scan serves).
    public var phase: String
    public var vectors: Int
    public var lists: Int
    public var residentLists: Int
    public var residentBytes: Int
    public var budgetBytes: Int
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64
    public var rebuiltLists: UInt64

    public init(namespace: String, phase: String, vectors: Int = 0, lists: Int = 0, residentLists: Int = 0,
                residentBytes: Int = 0, budgetBytes: Int = 0, hits: UInt64 = 0, misses: UInt64 = 0,
                evictions: UInt64 = 0, rebuiltLists: UInt64 = 0) {
        self.namespace = namespace
        self.phase = phase
        self.vectors = vectors
        self.lists = lists
        self.residentLists = residentLists
        self.residentBytes = residentBytes
        self.budgetBytes = budgetBytes
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        self.rebuiltLists = rebuiltLists
    }

    /// List reads answered from memory over all list reads (0 before any).
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }

    /// The line `strata health` shows (the status RPC carries notes).
    public var note: String {
        guard phase == "ready" else { return "ivf index of namespace \(namespace): \(phase) (exact scan serves)" }
        return "ivf index of namespace \(namespace): ready, \(vectors) vectors in \(lists) lists, \(residentLists) in memory "
            + "(\(residentBytes) of \(budgetBytes) bytes), hits \(hits), misses \(misses), evictions \(evictions), "
            + "hit rate \(Int((hitRate * 100).rounded()))%"
    }
}
