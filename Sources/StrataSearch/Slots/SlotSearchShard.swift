import StrataCore

/// One namespace's chunks in one slot as the worker searches them: the `SearchShard` plus,
/// per chunk, its provenance and token count, and a content-hash lookup for FetchChunks.
///
/// A value with copy-on-write of the whole shard: the fields live in one `Storage` box that
/// copies share until one of them writes. `SlotSearchIndex` mutates its shards under its
/// lock and a query's snapshot of up to 256 slots costs one retain per slot (a copy of the
/// fields themselves retained and released each of their ~28 buffers: 8 % of a worker's CPU
/// on a vector query, 13 % on a lexical one at 1M tokens, perf). A write to a shard that a
/// snapshot still holds copies the box first (`makeUnique`), so the snapshot never changes.
public struct SlotSearchShard: Sendable {
    /// The shard's fields, shared by copies of a `SlotSearchShard` until one of them writes.
    ///
    /// `@unchecked Sendable`: only a `SlotSearchShard` that holds the sole reference to it
    /// writes to it (`makeUnique` first), and that one is not shared with another thread
    /// meanwhile (the index's lock); every other holder only reads.
    final class Storage: @unchecked Sendable {
        var shard: SearchShard
        var details: [ChunkRef: IndexedChunkDetail] = [:]
        var byHash: [ContentHash: [ChunkRef]] = [:]
        var withoutVector: [String: [ChunkRef]] = [:]
        var withoutVectorCount = 0

        init(shard: SearchShard) {
            self.shard = shard
        }

        /// A box of its own holding the same fields (their buffers shared until written).
        init(copying other: Storage) {
            shard = other.shard
            details = other.details
            byHash = other.byHash
            withoutVector = other.withoutVector
            withoutVectorCount = other.withoutVectorCount
        }
    }

    private var storage: Storage

    public init(settings: SearchSettings) throws(StrataError) {
        storage = Storage(shard: try SearchShard(settings: settings))
    }

    /// Gives this value a box of its own before a write, when a copy (a query's snapshot)
    /// shares it. Without it, a write would change what a running query reads.
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
    }

    // `_read` and `_modify`: in place, never a copy of the field (a `get` of `shard` would
    // retain and release each of its buffers).
    public internal(set) var shard: SearchShard {
        _read { yield storage.shard }
        _modify {
            makeUnique()
            yield &storage.shard
        }
    }

    public internal(set) var details: [ChunkRef: IndexedChunkDetail] {
        _read { yield storage.details }
        _modify {
            makeUnique()
            yield &storage.details
        }
    }

    /// Live references per content hash (the same text may occur in several documents).
    public internal(set) var byHash: [ContentHash: [ChunkRef]] {
        _read { yield storage.byHash }
        _modify {
            makeUnique()
            yield &storage.byHash
        }
    }

    /// Chunks indexed without a vector, by document: the server-side embedder's work here.
    public internal(set) var withoutVector: [String: [ChunkRef]] {
        _read { yield storage.withoutVector }
        _modify {
            makeUnique()
            yield &storage.withoutVector
        }
    }

    /// How many chunks `withoutVector` holds.
    public internal(set) var withoutVectorCount: Int {
        get { storage.withoutVectorCount }
        set {
            makeUnique()
            storage.withoutVectorCount = newValue
        }
    }

    public var isEmpty: Bool { shard.documentCount == 0 }

    /// Replaces the document's chunks (validated by the shard before anything changes).
    public mutating func upsert(documentID: String, chunks: [(IndexedChunk, IndexedChunkDetail)]) throws(StrataError) {
        let previous = shard.chunks(ofDocument: documentID)
        try shard.upsert(documentID: documentID, chunks: chunks.map { $0.0 })
        forget(previous)
        forgetMissingVectors(of: documentID)
        for (chunk, detail) in chunks {
            details[chunk.ref] = detail
            byHash[chunk.ref.contentHash, default: []].append(chunk.ref)
        }
        let missing = chunks.filter { $0.0.vector == nil }.map { $0.0.ref }
        if !missing.isEmpty {
            withoutVector[documentID] = missing
            withoutVectorCount += missing.count
        }
    }

    /// Removes the document's chunks; a document the shard does not hold is a no-op.
    public mutating func remove(documentID: String) {
        forget(shard.chunks(ofDocument: documentID))
        forgetMissingVectors(of: documentID)
        shard.remove(documentID: documentID)
    }

    private mutating func forgetMissingVectors(of documentID: String) {
        if let missing = withoutVector.removeValue(forKey: documentID) { withoutVectorCount -= missing.count }
    }

    /// Drops the side tables' entries of a document's former chunks.
    private mutating func forget(_ refs: [ChunkRef]) {
        for ref in refs where details[ref] != nil {
            details[ref] = nil
            byHash[ref.contentHash]?.removeAll { $0 == ref }
            if byHash[ref.contentHash]?.isEmpty == true { byHash[ref.contentHash] = nil }
        }
    }
}
