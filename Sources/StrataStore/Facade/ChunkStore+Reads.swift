import StrataCore

extension ChunkStore {
    /// Reads a chunk hot → warm → cold → persistent. A hit below hot is promoted by the
    /// tiers; a miss is read (checksum-verified) from disk and admitted at the hot tier.
    ///
    /// A cached copy is served only while a live document references the chunk: a delete
    /// racing with this read may have removed it from the tiers just before our admit put it
    /// back, and a cache must never resurrect deleted content.
    public func get(_ ref: ChunkRef) throws(StrataError) -> ChunkRead {
        let key = ref.cacheKey
        if let (chunk, tier) = tiers.lookup(key) {
            guard let dimension = persistent.liveVectorDimension(cacheKey: key) else {
                tiers.remove(key)
                throw .notFound("no live chunk \(ref)")
            }
            if (chunk.vector?.count ?? 0) == dimension {
                return ChunkRead(ref: ref, text: chunk.text, tokenCount: chunk.tokenCount, vector: chunk.vector, tier: tier)
            }
            // Cached before the text got its vector (server-side embedding): read it again.
            tiers.remove(key)
        }
        let (text, tokens, vector) = try persistent.read(ref)
        tiers.admit(CachedChunk(key: key, text: text, tokenCount: tokens, vector: vector))
        if !persistent.containsLive(cacheKey: key) { tiers.remove(key) }
        return ChunkRead(ref: ref, text: text, tokenCount: tokens, vector: vector, tier: .persistent)
    }

    /// The chunks of a document in order, or nil when it does not exist.
    public func documentChunks(namespace: String, documentID: String) -> [ChunkRef]? {
        persistent.documentChunks(namespace: namespace, documentID: documentID)
    }

    /// The metadata of a live document, or nil when it does not exist.
    public func documentMetadata(namespace: String, documentID: String) -> DocumentMetadata? {
        persistent.documentMetadata(namespace: namespace, documentID: documentID)
    }

    /// Every chunk of a slot, read from the persistent tier (what the search engine indexes).
    public func forEachChunk(inSlot slot: UInt32, _ visit: (StoredChunk) throws(StrataError) -> Void) throws(StrataError) {
        try persistent.forEachChunk(inSlot: slot, visit)
    }

    /// Last applied sequence number of a slot.
    public func lastSequence(of slot: UInt32) -> UInt64 { persistent.lastSequence(of: slot) }

    /// Streams a slot from `sequence` (0: full) for another worker's `importSlot`.
    @discardableResult
    public func exportSlot(_ slot: UInt32, after sequence: UInt64, _ emit: (SlotWrite) throws(StrataError) -> Void) throws(StrataError) -> UInt64 {
        try persistent.exportSlot(slot, after: sequence, emit)
    }

    /// Counters of hot, warm, cold and persistent, in that order.
    public func stats() -> [TierStats] { tiers.stats() + [persistent.tierStats()] }

    /// Persistent-tier detail: WAL and segment bytes separately, documents, flushes.
    public func persistentStats() -> PersistentStats { persistent.detailedStats() }
}
