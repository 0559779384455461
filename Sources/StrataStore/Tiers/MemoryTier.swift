import StrataCore

/// What the hierarchy needs from each memory tier; the hot, warm and cold tiers implement it
/// over device memory, shared memory and process RAM.
protocol MemoryTier: AnyObject {
    var name: TierName { get }
    var counters: TierCounters { get set }

    /// The chunk under `key` decoded for the caller (vector reconstructed from this tier's
    /// precision). With `refresh` the hit counts as a use for LRU ordering (FIFO ignores it).
    func lookup(_ key: ContentHash, refresh: Bool) -> CachedChunk?

    /// The chunk under `key` in this tier's encoding, for moving it to another tier.
    func peek(_ key: ContentHash, refresh: Bool) -> TierChunk?

    /// Whether the chunk could fit in this tier when empty (neither capacity is smaller than it).
    func canEverHold(_ chunk: TierChunk) -> Bool

    /// Stores the chunk as the newest entry (replacing the key if present), evicting the oldest
    /// entries first until it fits. `stored` is false when the tier can never hold it.
    func insert(_ chunk: TierChunk) -> TierInsertOutcome

    /// Removes the key; false when absent.
    @discardableResult
    func remove(_ key: ContentHash) -> Bool

    /// Removes every entry.
    func removeAll()

    func stats() -> TierStats
}
