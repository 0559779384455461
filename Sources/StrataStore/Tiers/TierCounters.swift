import StrataCore

/// The event counters of one memory tier.
///
/// Conventions (they matter when reading the status output):
/// - `hits` / `misses`: lookups that reached this tier and found / did not find the key. A
///   lookup that hits hot never reaches warm, so warm counts neither.
/// - `promotions`: chunks this tier received from a lower tier on a hit there.
/// - `demotions`: chunks this tier received from the tier above when that tier evicted them.
/// - `evictions`: chunks this tier gave up to make room; each is demoted to the next tier, or
///   dropped from memory when this is the cold tier (the persistent tier still holds it).
/// - `reservationFailures`: chunks that bypassed this tier because the memory for them could
///   not be reserved (the warm tier on a full tmpfs).
struct TierCounters {
    var hits: UInt64 = 0
    var misses: UInt64 = 0
    var promotions: UInt64 = 0
    var demotions: UInt64 = 0
    var evictions: UInt64 = 0
    var reservationFailures: UInt64 = 0

    /// Fills a `TierStats` from these counters and the tier's current contents.
    func stats<Payload>(tier: TierName, backend: String, directory: TierDirectory<Payload>) -> TierStats {
        var stats = TierStats(
            tier: tier, backend: backend, precision: directory.settings.precision, eviction: directory.settings.eviction)
        stats.entries = directory.count
        stats.tokens = directory.tokensUsed
        stats.bytesUsed = directory.bytesUsed
        stats.capacityBytes = directory.settings.capacityBytes
        stats.capacityTokens = directory.settings.capacityTokens
        stats.hits = hits
        stats.misses = misses
        stats.promotions = promotions
        stats.demotions = demotions
        stats.evictions = evictions
        stats.reservationFailures = reservationFailures
        return stats
    }
}
