import StrataCore
import StrataSearch
import StrataStore

/// Keeping the index in step with the store.
extension WorkerSearchIndex {
    /// Refuses, before the store sees it, a put the index could not hold: a chunk whose
    /// provenance names another document (the index rebuilds documents from provenance), or a
    /// vector whose dimension differs from the namespace's (INVALID_ARGUMENT naming the field).
    func check(_ write: StrataStore.SlotWrite, field: String) throws(StrataError) {
        let dimensions = state.withLock { $0.dimensions }
        for operation in write.operations {
            guard case .putDocument(let namespace, let documentID, let chunks, _) = operation else { continue }
            var dimension = dimensions[namespace]
            for (j, chunk) in chunks.enumerated() {
                let chunkField = "\(field).put.chunks[\(j)]"
                guard chunk.provenance.documentID == documentID else {
                    throw .invalidArgument("\(chunkField).provenance.document_id is \"\(chunk.provenance.documentID)\"; "
                                           + "it must be the put's document_id \"\(documentID)\"")
                }
                guard let vector = chunk.vector else { continue }
                try VectorValidation.validate(vector, dimension: dimension ?? vector.count, field: "\(chunkField).vector")
                dimension = dimension ?? vector.count
            }
        }
    }

    /// Applies a write the store has just applied. `store` is read only when a namespace gets
    /// its first vector and shards built without one must be rebuilt.
    func apply(_ write: StrataStore.SlotWrite, store: ChunkStore) throws(StrataError) {
        for operation in write.operations {
            switch operation {
            case .putDocument(let namespace, let documentID, let chunks, let metadata):
                let key = Key(namespace: namespace, slot: write.slot)
                let chunks = try Self.withStoredVectors(chunks, namespace: namespace, store: store)
                if let dimension = chunks.lazy.compactMap({ $0.vector?.count }).first {
                    try learnDimension(dimension, of: namespace, store: store)
                }
                // One dictionary for the whole document, shared (copy-on-write) by its chunks.
                let filterable = metadata.dictionary
                let indexed = chunks.enumerated().map { ordinal, chunk in
                    let text = String(decoding: chunk.utf8, as: UTF8.self)
                    let ref = StrataSearch.ChunkRef(documentID: documentID, ordinal: Int32(ordinal), contentHash: ContentHash.of(chunk.utf8))
                    // Indexed at the precision the store keeps (FP16), so a rebuilt index and
                    // a replica filled by a slot copy score exactly as this one does.
                    let stored = chunk.vector.map(HalfPrecision.rounded)
                    return (IndexedChunk(ref: ref, text: text, metadata: filterable, vector: stored),
                            IndexedChunkDetail(provenance: chunk.provenance, tokenCount: chunk.tokenCount, metadata: metadata))
                }
                try state.withLock { (state) throws(StrataError) in
                    if state.shards[key] == nil {
                        state.shards[key] = try SlotSearchShard(settings: shardSettings(dimension: state.dimensions[namespace]))
                    }
                    try state.shards[key]!.upsert(documentID: documentID, chunks: indexed)
                }
            case .deleteDocument(let namespace, let documentID):
                let key = Key(namespace: namespace, slot: write.slot)
                state.withLock { state in
                    state.shards[key]?.remove(documentID: documentID)
                    if state.shards[key]?.isEmpty == true { state.shards[key] = nil }
                }
            case .dropNamespace(let namespace):
                _ = state.withLock { $0.shards.removeValue(forKey: Key(namespace: namespace, slot: write.slot)) }
            }
        }
    }

    /// A put's chunks, each one sent without a vector given the vector its stored body has
    /// (the same text embedded earlier by the server-side embedder, e.g. a file ingested again):
    /// what a rebuild from the store would index, and no second embedding of the same text.
    /// A namespace without vectors costs one lookup per chunk.
    static func withStoredVectors(_ chunks: [ChunkInput], namespace: String, store: ChunkStore) throws(StrataError) -> [ChunkInput] {
        guard chunks.contains(where: { $0.vector == nil }) else { return chunks }
        var result = chunks
        for (i, chunk) in chunks.enumerated() where chunk.vector == nil {
            let ref = StrataStore.ChunkRef(namespace: namespace, hash: ContentHash.of(chunk.utf8))
            guard (store.persistent.liveVectorDimension(cacheKey: ref.cacheKey) ?? 0) > 0 else { continue }
            result[i].vector = try store.persistent.read(ref).vector
        }
        return result
    }

    /// Fixes a namespace's dimension the first time a vector is seen, rebuilding from the
    /// store the shards of that namespace that were built without one.
    private func learnDimension(_ dimension: Int, of namespace: String, store: ChunkStore) throws(StrataError) {
        try state.withLock { (state) throws(StrataError) in
            guard state.dimensions[namespace] == nil else { return }
            state.dimensions[namespace] = dimension
            let slots = state.shards.keys.filter { $0.namespace == namespace }.map(\.slot)
            try Self.rebuild(slots.map { ($0, namespace) }, from: store, settings: settings, state: &state)
        }
    }

    /// Re-indexes a slot (one namespace of it, or all when `namespace` is nil) from the store.
    ///
    /// Runs under the index lock from the store read to the swap, so a write to the slot whose
    /// index update is waiting for the lock is applied after the swap (upserts and removals are
    /// idempotent), and one applied before is in what the store returns. Searches wait
    /// meanwhile; this happens at start-up and when a namespace gets its first vector.
    func rebuild(slot: UInt32, namespace: String?, from store: ChunkStore) throws(StrataError) {
        try state.withLock { (state) throws(StrataError) in
            try Self.rebuild([(slot, namespace)], from: store, settings: settings, state: &state)
        }
    }

    /// Works through `pending`; a namespace that gets its first vector here queues its
    /// vector-less shards in other slots.
    private static func rebuild(_ pending: [(UInt32, String?)], from store: ChunkStore, settings: SearchSettings,
                                state: inout State) throws(StrataError) {
        var work = pending
        while let (slot, only) = work.popLast() {
            var documents: [Key: [(String, [(IndexedChunk, IndexedChunkDetail)])]] = [:]
            var learned: [String] = []
            // The current document's metadata as the shard filters on it: built once per
            // document (chunks come in document order, ordinal 0 first) and shared by its chunks.
            var filterable: [String: String] = [:]
            try store.forEachChunk(inSlot: slot) { (chunk: StoredChunk) throws(StrataError) in
                let namespace = chunk.ref.namespace
                if let only, namespace != only { return }
                let key = Key(namespace: namespace, slot: slot)
                let documentID = chunk.provenance.documentID
                if let vector = chunk.vector, state.dimensions[namespace] == nil {
                    state.dimensions[namespace] = vector.count
                    learned.append(namespace)
                }
                let ref = StrataSearch.ChunkRef(documentID: documentID, ordinal: Int32(chunk.ordinal), contentHash: chunk.ref.hash)
                if chunk.ordinal == 0 { filterable = chunk.metadata.dictionary }
                let entry = (IndexedChunk(ref: ref, text: chunk.text, metadata: filterable, vector: chunk.vector),
                             IndexedChunkDetail(provenance: chunk.provenance, tokenCount: chunk.tokenCount, metadata: chunk.metadata))
                if chunk.ordinal == 0 || documents[key]?.last?.0 != documentID {
                    documents[key, default: []].append((documentID, [entry]))
                } else {
                    documents[key]![documents[key]!.count - 1].1.append(entry)
                }
            }
            for key in state.shards.keys where key.slot == slot && (only == nil || key.namespace == only) {
                state.shards[key] = nil
            }
            for (key, docs) in documents {
                var settings = settings
                settings.vectorDimension = state.dimensions[key.namespace]
                var shard = try SlotSearchShard(settings: settings)
                for (documentID, chunks) in docs {
                    try shard.upsert(documentID: documentID, chunks: chunks)
                }
                state.shards[key] = shard
            }
            for namespace in learned {
                for (key, shard) in state.shards where key.namespace == namespace && shard.shard.settings.vectorDimension == nil {
                    work.append((key.slot, namespace))
                }
            }
        }
    }
}
