import StrataCore

/// The hierarchy's logic without the lock: lookups that promote, admissions that evict and
/// demote down the tiers. One instance is only ever used under `TierHierarchy`'s lock.
///
/// The memory tiers are exclusive: a chunk is in at most one of them. A hit below hot moves the
/// chunk up (re-encoded at the upper tier's precision); an entry a full tier evicts moves one
/// tier down; what the cold tier evicts leaves memory (the persistent tier holds everything). A
/// chunk too large for a tier skips it and goes to the next one down.
final class TierCascade {
    let hot: HotTier
    let warm: WarmTier
    let cold: ColdTier
    private(set) var isClosed = false

    init(hot: HotTier, warm: WarmTier, cold: ColdTier) {
        self.hot = hot
        self.warm = warm
        self.cold = cold
    }

    private enum Arrival { case admitted, promoted, demoted }

    private func tier(_ level: Int) -> any MemoryTier {
        switch level {
        case 0: hot
        case 1: warm
        default: cold
        }
    }

    func lookup(_ key: ContentHash) -> (chunk: CachedChunk, tier: TierName)? {
        guard !isClosed else { return nil }
        if let chunk = hot.lookup(key, refresh: true) {
            hot.counters.hits += 1
            return (chunk, .hot)
        }
        hot.counters.misses += 1
        for level in 1...2 {
            let lower = tier(level)
            guard let chunk = lower.peek(key, refresh: true) else {
                lower.counters.misses += 1
                continue
            }
            lower.counters.hits += 1
            if hot.canEverHold(chunk) {
                lower.remove(key)
                place(chunk, from: 0, arrival: .promoted)
            }
            return (chunk.cached, lower.name)
        }
        return nil
    }

    func admit(_ chunk: CachedChunk) {
        guard !isClosed, Self.isCacheable(chunk) else { return }
        remove(chunk.key)
        place(TierChunk(chunk), from: 0, arrival: .admitted)
    }

    func remove(_ key: ContentHash) {
        guard !isClosed else { return }
        hot.remove(key)
        warm.remove(key)
        cold.remove(key)
    }

    func removeAll() {
        guard !isClosed else { return }
        hot.removeAll()
        warm.removeAll()
        cold.removeAll()
    }

    func stats() -> [TierStats] {
        [hot.stats(), warm.stats(), cold.stats()]
    }

    /// Hands the hot tier's chunks to the warm tier (device memory dies with the process; the
    /// shared memory does not), then unmaps the warm tier. Least recently used go first, so the
    /// most recent end up the newest in warm.
    func close() {
        guard !isClosed else { return }
        for chunk in hot.drain() { place(chunk, from: 1, arrival: .demoted) }
        warm.close()
        cold.removeAll()
        isClosed = true
    }

    /// Stores the chunk in the first tier from `level` down that can hold it, cascading the
    /// victims each tier evicts one tier further down.
    private func place(_ chunk: TierChunk, from level: Int, arrival: Arrival) {
        for current in level...2 {
            let target = tier(current)
            let outcome = target.insert(chunk)
            if current < 2 {
                for victim in outcome.victims { place(victim, from: current + 1, arrival: .demoted) }
            }
            guard outcome.stored else { continue }
            switch arrival {
            case .admitted: break
            case .promoted: target.counters.promotions += 1
            case .demoted: target.counters.demotions += 1
            }
            return
        }
    }

    /// Chunks the tiers refuse to cache (the store validates input before it gets here; this
    /// keeps a bad value from ever reaching shared memory).
    private static func isCacheable(_ chunk: CachedChunk) -> Bool {
        guard chunk.tokenCount >= 0 else { return false }
        if let vector = chunk.vector, vector.contains(where: { !$0.isFinite }) { return false }
        return true
    }
}
