/// The four tiers of a worker's storage hierarchy, top (fastest) to bottom (durable).
public enum TierName: String, Sendable, Codable, CaseIterable, Comparable {
    case hot, warm, cold, persistent

    public static func < (lhs: TierName, rhs: TierName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which entry a full tier gives up first.
public enum EvictionPolicy: String, Sendable, Codable, CaseIterable {
    /// Least recently used (hits refresh an entry).
    case lru
    /// First in, first out (hits do not refresh).
    case fifo
    /// Never evicts (the persistent tier holds everything).
    case none
}

/// Capacity, precision and eviction of one memory tier. A tier is full when either capacity binds.
public struct TierSettings: Sendable, Codable, Equatable {
    public var capacityBytes: Int
    public var capacityTokens: Int
    public var precision: VectorPrecision
    public var eviction: EvictionPolicy

    public init(capacityBytes: Int, capacityTokens: Int, precision: VectorPrecision, eviction: EvictionPolicy) {
        self.capacityBytes = capacityBytes
        self.capacityTokens = capacityTokens
        self.precision = precision
        self.eviction = eviction
    }

    public static let hotDefault = TierSettings(capacityBytes: 256 << 20, capacityTokens: 2_000_000, precision: .int8, eviction: .lru)
    public static let warmDefault = TierSettings(capacityBytes: 1 << 30, capacityTokens: 8_000_000, precision: .int8, eviction: .lru)
    public static let coldDefault = TierSettings(capacityBytes: 2 << 30, capacityTokens: 16_000_000, precision: .float16, eviction: .fifo)
}

/// When the write-ahead log is fsynced.
public enum FsyncPolicy: Sendable, Codable, Equatable {
    /// fsync once per appended batch, before the batch is acknowledged (the default).
    case perBatch
    /// Group commit: batches arriving within this many milliseconds share one fsync; each is
    /// still acknowledged only after the fsync that covers it.
    case interval(milliseconds: Int)
}

/// Counters of one tier, reported by the status RPC and /metrics.
public struct TierStats: Sendable, Codable, Equatable {
    public var tier: TierName
    /// Where the tier lives: "host" (hot tier emulated in host memory), "cuda", "shm", "ram", "disk".
    public var backend: String
    public var precision: VectorPrecision
    public var eviction: EvictionPolicy
    public var entries: Int = 0
    public var tokens: Int = 0
    public var bytesUsed: Int = 0
    public var capacityBytes: Int = 0
    public var capacityTokens: Int = 0
    public var hits: UInt64 = 0
    public var misses: UInt64 = 0
    public var promotions: UInt64 = 0
    public var demotions: UInt64 = 0
    public var evictions: UInt64 = 0
    /// Chunks that bypassed the tier because its memory could not be reserved (the warm tier
    /// on a full /dev/shm); they went one tier down instead.
    public var reservationFailures: UInt64 = 0
    /// Memory the tier holds reserved now: for the warm tier, the shared memory of its header,
    /// page table and pages in use (what /dev/shm counts for it); 0 for the other tiers.
    public var reservedBytes: Int = 0

    public init(tier: TierName, backend: String, precision: VectorPrecision, eviction: EvictionPolicy) {
        self.tier = tier
        self.backend = backend
        self.precision = precision
        self.eviction = eviction
    }
}
