import StrataCore

/// What the worker and the benchmarks ask the store beyond reads and writes: slot positions,
/// live-ness, stored documents and vectors, a flush. The tiers themselves stay inside.
extension ChunkStore {
    /// The highest applied sequence of every slot the store holds.
    public func slotSequences() -> [UInt32: UInt64] { persistent.slotSequences() }

    /// Every slot's position: its sequence and the digest of its contents.
    public func slotPositions() -> [UInt32: (sequence: UInt64, digest: UInt64)] { persistent.slotPositions() }

    /// Whether a live document references the chunk with this cache key.
    public func containsLive(cacheKey: ContentHash) -> Bool { persistent.containsLive(cacheKey: cacheKey) }

    /// The vector a live chunk's stored body has; nil when it has none or nothing live holds it.
    public func storedVector(_ ref: ChunkRef) throws(StrataError) -> [Float]? {
        guard (persistent.liveVectorDimension(cacheKey: ref.cacheKey) ?? 0) > 0 else { return nil }
        return try persistent.read(ref).vector
    }

    /// A live document's chunks (as sent) and metadata, read from disk; nil when it does not exist.
    public func storedDocument(namespace: String, documentID: String) throws(StrataError) -> (chunks: [ChunkInput], metadata: DocumentMetadata)? {
        try persistent.storedDocument(namespace: namespace, documentID: documentID)
    }

    /// A live document's chunk references and metadata; nil when it does not exist.
    public func documentLayout(namespace: String, documentID: String) -> DocumentLayout? {
        persistent.documentLayout(namespace: namespace, documentID: documentID)
    }

    /// What the warm tier found in shared memory when the store opened.
    public var warmRecovery: WarmRecoveryReport { tiers.warmRecovery }

    /// Writes the memtable to a segment now (benchmarks measure reads from segments).
    public func flush() throws(StrataError) { try persistent.flush() }
}
