import StrataCore

/// One namespace's chunks in one slot as the worker searches them: the `SearchShard` plus,
/// per chunk, its provenance and token count, and a content-hash lookup for FetchChunks.
///
/// A value type like `SearchShard`: `SlotSearchIndex` mutates it under its lock and searches
/// copies (copy-on-write) outside it.
public struct SlotSearchShard: Sendable {
    public internal(set) var shard: SearchShard
    public internal(set) var details: [ChunkRef: IndexedChunkDetail] = [:]
    /// Live references per content hash (the same text may occur in several documents).
    public internal(set) var byHash: [ContentHash: [ChunkRef]] = [:]
    /// Chunks indexed without a vector, by document: the server-side embedder's work here.
    public internal(set) var withoutVector: [String: [ChunkRef]] = [:]
    /// How many chunks `withoutVector` holds.
    public internal(set) var withoutVectorCount = 0

    public init(settings: SearchSettings) throws(StrataError) {
        shard = try SearchShard(settings: settings)
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
