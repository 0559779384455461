/// Counters of the persistent tier beyond the common `TierStats`.
public struct PersistentStats: Sendable, Equatable {
    /// Distinct stored chunk bodies (after dedup) and their tokens and raw text bytes.
    public var entries = 0
    public var tokens = 0
    public var textBytes = 0
    /// Live documents and the chunks and tokens they reference (before dedup).
    public var documents = 0
    public var documentChunks = 0
    public var documentTokens = 0
    public var walBytes = 0
    public var segmentCount = 0
    public var segmentBytes = 0
    public var memtableEntries = 0
    public var corruptReads: UInt64 = 0
    public var flushes: UInt64 = 0
    public var compactions: UInt64 = 0
    /// Background flushes or compactions that failed (the data stays in the WAL; retried later).
    public var maintenanceErrors: UInt64 = 0

    public var bytesOnDisk: Int { walBytes + segmentBytes }

    public init() {}
}
