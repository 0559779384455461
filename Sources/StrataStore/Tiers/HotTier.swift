import StrataCore

/// The hot tier: entries in blocks of a `HotTierBackend` (device memory, or host memory where
/// there is no GPU), vectors at the tier's precision (INT8 by default), evicted by policy (LRU
/// by default).
///
/// Each block holds the UTF-8 text followed by the encoded vector. A read copies the block into
/// a staging buffer owned by the tier and reused across reads, so a lookup allocates nothing but
/// the returned text and vector.
final class HotTier: MemoryTier {
    struct Payload {
        var block: HotBlock
        var textLength: Int
        /// -1 when the chunk has no vector.
        var dimension: Int
    }

    let name = TierName.hot
    var counters = TierCounters()
    private let backend: any HotTierBackend
    private var directory: TierDirectory<Payload>
    private var staging: UnsafeMutableRawBufferPointer

    init(settings: TierSettings, backend: any HotTierBackend) {
        self.backend = backend
        self.directory = TierDirectory(settings: settings)
        self.staging = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    }

    deinit {
        for entry in directory.removeAll() { backend.free(entry.payload.block) }
        staging.deallocate()
    }

    var settings: TierSettings { directory.settings }

    func lookup(_ key: ContentHash, refresh: Bool) -> CachedChunk? {
        guard let index = directory.index(of: key) else { return nil }
        if refresh { directory.touch(index) }
        let entry = directory.entry(at: index)
        let base = load(entry.payload)
        let text = String(decoding: UnsafeRawBufferPointer(start: base, count: entry.payload.textLength), as: UTF8.self)
        let vector = entry.payload.dimension >= 0
            ? TierVectorCodec.decode(base + entry.payload.textLength, dimension: entry.payload.dimension, precision: settings.precision)
            : nil
        return CachedChunk(key: key, text: text, tokenCount: entry.tokens, vector: vector)
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
        let precision = settings.precision
        let bytes = chunk.entryBytes(at: precision)
        // The hierarchy keeps tiers exclusive, so the key is never here; replacing keeps the
        // directory consistent even if that ever changed.
        remove(chunk.key)
        guard directory.canEverHold(bytes: bytes, tokens: chunk.tokenCount) else {
            return TierInsertOutcome(stored: false, victims: [])
        }
        var victims: [TierChunk] = []
        while !directory.hasRoom(bytes: bytes, tokens: chunk.tokenCount), let oldest = directory.oldest {
            victims.append(evict(oldest))
        }
        let textLength = chunk.textBytes
        let blockBytes = textLength + chunk.vectorBytes(at: precision)
        let block: HotBlock
        do {
            block = try backend.allocate(byteCount: blockBytes)
        } catch {
            // The device is full before our own accounting is: leave the chunk to the tiers
            // below rather than fail the caller.
            return TierInsertOutcome(stored: false, victims: victims)
        }
        ensureStaging(blockBytes)
        var text = chunk.text
        text.withUTF8 { utf8 in
            if let source = utf8.baseAddress, textLength > 0 {
                staging.baseAddress!.copyMemory(from: source, byteCount: textLength)
            }
        }
        chunk.vector?.write(at: precision, into: staging.baseAddress! + textLength)
        backend.store(UnsafeRawBufferPointer(rebasing: staging[0..<blockBytes]), into: block)
        let payload = Payload(block: block, textLength: textLength, dimension: chunk.vector?.dimension ?? -1)
        directory.insert(key: chunk.key, payload: payload, bytes: bytes, tokens: chunk.tokenCount)
        return TierInsertOutcome(stored: true, victims: victims)
    }

    @discardableResult
    func remove(_ key: ContentHash) -> Bool {
        guard let index = directory.index(of: key) else { return false }
        backend.free(directory.remove(at: index).payload.block)
        return true
    }

    func removeAll() {
        for entry in directory.removeAll() { backend.free(entry.payload.block) }
    }

    /// Empties the tier and returns its chunks, least recently used first (used at close, when
    /// device memory is about to vanish and the chunks move down to the warm tier).
    func drain() -> [TierChunk] {
        let chunks = directory.indicesOldestFirst().map { read(directory.entry(at: $0)) }
        removeAll()
        return chunks
    }

    func stats() -> TierStats {
        counters.stats(tier: .hot, backend: backend.name, directory: directory)
    }

    private func evict(_ index: Int) -> TierChunk {
        let chunk = read(directory.entry(at: index))
        backend.free(directory.remove(at: index).payload.block)
        counters.evictions += 1
        return chunk
    }

    private func read(_ entry: TierDirectory<Payload>.Entry) -> TierChunk {
        let payload = entry.payload
        let base = load(payload)
        let text = String(decoding: UnsafeRawBufferPointer(start: base, count: payload.textLength), as: UTF8.self)
        let vector = payload.dimension >= 0
            ? TierVector.copy(from: base + payload.textLength, dimension: payload.dimension, precision: settings.precision)
            : nil
        return TierChunk(key: entry.key, text: text, tokenCount: entry.tokens, vector: vector)
    }

    /// Copies the entry's block into the staging buffer and returns its start.
    private func load(_ payload: Payload) -> UnsafeRawPointer {
        let vectorBytes = payload.dimension >= 0
            ? TierVectorCodec.byteCount(dimension: payload.dimension, precision: settings.precision) : 0
        let total = payload.textLength + vectorBytes
        ensureStaging(total)
        backend.load(payload.block, into: UnsafeMutableRawBufferPointer(rebasing: staging[0..<total]))
        return UnsafeRawPointer(staging.baseAddress!)
    }

    private func ensureStaging(_ byteCount: Int) {
        guard byteCount > staging.count else { return }
        staging.deallocate()
        var capacity = staging.count
        while capacity < byteCount { capacity *= 2 }
        staging = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    }
}
