import StrataCore

/// The cold tier: chunks in process RAM, vectors at the tier's precision (FP16 by default),
/// evicted by policy (FIFO by default). A victim of the cold tier leaves memory; the persistent
/// tier still holds it.
final class ColdTier: MemoryTier {
    struct Payload {
        var text: String
        var vector: [UInt8]
        /// -1 when the chunk has no vector.
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
        guard let index = directory.index(of: key) else { return nil }
        if refresh { directory.touch(index) }
        return read(directory.entry(at: index))
    }

    func canEverHold(_ chunk: CachedChunk) -> Bool {
        directory.canEverHold(bytes: TierEntrySize.bytes(of: chunk, precision: settings.precision), tokens: chunk.tokenCount)
    }

    func insert(_ chunk: CachedChunk) -> TierInsertOutcome {
        let bytes = TierEntrySize.bytes(of: chunk, precision: settings.precision)
        // The hierarchy keeps tiers exclusive, so the key is never here; replacing keeps the
        // directory consistent even if that ever changed.
        remove(chunk.key)
        guard directory.canEverHold(bytes: bytes, tokens: chunk.tokenCount) else {
            return TierInsertOutcome(stored: false, victims: [])
        }
        var victims: [CachedChunk] = []
        while !directory.hasRoom(bytes: bytes, tokens: chunk.tokenCount), let oldest = directory.oldest {
            victims.append(read(directory.remove(at: oldest)))
            counters.evictions += 1
        }
        let payload = Payload(
            text: chunk.text,
            vector: chunk.vector.map { TierVectorCodec.encoded($0, precision: settings.precision) } ?? [],
            dimension: chunk.vector?.count ?? -1)
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

    private func read(_ entry: TierDirectory<Payload>.Entry) -> CachedChunk {
        let payload = entry.payload
        let vector: [Float]? = payload.dimension >= 0
            ? payload.vector.withUnsafeBytes { raw in
                TierVectorCodec.decode(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, dimension: payload.dimension, precision: settings.precision)
            }
            : nil
        return CachedChunk(key: entry.key, text: payload.text, tokenCount: entry.tokens, vector: vector)
    }
}
