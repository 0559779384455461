import StrataCore

/// What the hierarchy needs from each memory tier; the hot, warm and cold tiers implement it
/// over device memory, shared memory and process RAM.
protocol MemoryTier: AnyObject {
    var name: TierName { get }
    var counters: TierCounters { get set }

    /// The chunk under `key`, reconstructed from this tier's precision. With `refresh` the hit
    /// counts as a use for LRU ordering (FIFO tiers ignore it).
    func lookup(_ key: ContentHash, refresh: Bool) -> CachedChunk?

    /// Whether the chunk could fit in this tier when empty (neither capacity is smaller than it).
    func canEverHold(_ chunk: CachedChunk) -> Bool

    /// Stores the chunk as the newest entry, evicting the oldest entries first until it fits.
    /// The key must not be present. `stored` is false when the tier can never hold it.
    func insert(_ chunk: CachedChunk) -> TierInsertOutcome

    /// Removes the key; false when absent.
    @discardableResult
    func remove(_ key: ContentHash) -> Bool

    /// Removes every entry.
    func removeAll()

    func stats() -> TierStats
}

/// The result of inserting into a tier: whether it was stored and what had to leave.
struct TierInsertOutcome {
    var stored: Bool
    /// Entries evicted to make room, oldest first, reconstructed at this tier's precision.
    var victims: [CachedChunk]
}
