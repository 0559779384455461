/// What a tiered IVF index reports in the worker's status and metrics: how many list reads the
/// memory tier answered (hits) and how many went to disk (misses), what memory holds now, and
/// how many lists were found invalid on disk and rebuilt, and how many write-backs of changed
/// lists failed (those lists stay in memory and are written at the next one).
public struct IVFTierCounters: Sendable, Equatable, Codable {
    public var lists: Int
    public var residentLists: Int
    public var residentBytes: Int
    public var budgetBytes: Int
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64
    public var rebuiltLists: UInt64
    public var failedWriteBacks: UInt64

    public init(lists: Int = 0, residentLists: Int = 0, residentBytes: Int = 0, budgetBytes: Int = 0, hits: UInt64 = 0,
                misses: UInt64 = 0, evictions: UInt64 = 0, rebuiltLists: UInt64 = 0, failedWriteBacks: UInt64 = 0) {
        self.lists = lists
        self.residentLists = residentLists
        self.residentBytes = residentBytes
        self.budgetBytes = budgetBytes
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        self.rebuiltLists = rebuiltLists
        self.failedWriteBacks = failedWriteBacks
    }

    /// Hits over all list reads (0 before any).
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}
