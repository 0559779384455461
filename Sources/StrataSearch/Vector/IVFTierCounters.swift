/// What a tiered IVF index reports in the worker's status and metrics: how many list reads the
/// memory tier answered (hits) and how many went to disk (misses), what memory holds now, and
/// how many lists were found invalid on disk and rebuilt.
public struct IVFTierCounters: Sendable, Equatable {
    public var lists: Int
    public var residentLists: Int
    public var residentBytes: Int
    public var budgetBytes: Int
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64
    public var rebuiltLists: UInt64

    /// Hits over all list reads (0 before any).
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}
