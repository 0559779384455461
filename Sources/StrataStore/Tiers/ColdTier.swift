import StrataCore

/// The cold tier: chunks in process RAM, vectors at the tier's precision (FP16 by default),
/// evicted by policy (FIFO by default). A victim of the cold tier leaves memory; the persistent
/// tier still holds it.
final class ColdTier: MemoryTier {
    struct Payload {
        var text: String
        /// The vector in this tier's encoding; nil when the chunk has none.
        var vector: [UInt8]?
        var dimension: Int
    }

    let name = TierName.cold
    var counters = TierCounters()
    private var directory: TierDirectory<Payload>

    init(settings: TierSettings) {
        self.directory = TierDirectory(settings: settings)
    }

    var settings: TierSettings { directory.settings }

    func lookup(_ key: ContentHash, refresh: Bool) -> CachedChunk? {
        peek(key, refresh: refresh)?.cached
    }

    func peek(_ key: ContentHash, refresh: Bool) -> TierChunk? {
        guard let index = directory.index(of: key) else { return nil }
        if refresh { directory.touch(index) }
        return read(directory.entry(at: index))
    }

    func canEverHold(_ chunk: TierChunk) -> Bool {
        directory.canEverHold(bytes: chunk.entryBytes(at: settings.precision), tokens: chunk.tokenCount)
    }

    func insert(_ chunk: TierChunk) -> TierInsertOutcome {
        let bytes = chunk.entryBytes(at: settings.precision)
        // The hierarchy keeps tiers exclusive, so the key is never here; replacing keeps the
        // directory consistent even if that ever changed.
        remove(chunk.key)
        guard directory.canEverHold(bytes: bytes, tokens: chunk.tokenCount) else {
            return TierInsertOutcome(stored: false, victims: [])
        }
        var victims: [TierChunk] = []
        while !directory.hasRoom(bytes: bytes, tokens: chunk.tokenCount), let oldest = directory.oldest {
            victims.append(read(directory.remove(at: oldest)))
            counters.evictions += 1
        }
        let payload = Payload(
            text: chunk.text, vector: chunk.vector?.encoded(at: settings.precision), dimension: chunk.vector?.dimension ?? 0)
        directory.insert(key: chunk.key, payload: payload, bytes: bytes, tokens: chunk.tokenCount)
        return TierInsertOutcome(stored: true, victims: victims)
    }

    @discardableResult
    func remove(_ key: ContentHash) -> Bool {
        guard let index = directory.index(of: key) else { return false }
        directory.remove(at: index)
        return true
    }

    func removeAll() {
        _ = directory.removeAll()
    }

    func stats() -> TierStats {
        counters.stats(tier: .cold, backend: "ram", directory: directory)
    }

    private func read(_ entry: TierDirectory<Payload>.Entry) -> TierChunk {
        let payload = entry.payload
        let vector = payload.vector.map {
            TierVector.encoded(precision: settings.precision, dimension: payload.dimension, bytes: $0)
        }
        return TierChunk(key: entry.key, text: payload.text, tokenCount: entry.tokens, vector: vector)
    }
}
