import StrataCore
import StrataSearch
import StrataStore

/// Keeping the worker's search index in step with its store: the store's writes and chunks
/// mapped to the index's own operations.
extension SlotSearchIndex {
    /// Refuses, before the store sees it, a put the index could not hold: a chunk whose
    /// provenance names another document (the index rebuilds documents from provenance), or a
    /// vector whose dimension differs from the namespace's (INVALID_ARGUMENT naming the field).
    func check(_ write: StrataStore.SlotWrite, field: String) throws(StrataError) {
        let dimensions = dimensions()
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
                let chunks = try Self.withStoredVectors(chunks, namespace: namespace, store: store)
                // One dictionary for the whole document, shared (copy-on-write) by its chunks.
                let filterable = metadata.dictionary
                let indexed = chunks.enumerated().map { ordinal, chunk -> Entry in
                    let text = String(decoding: chunk.utf8, as: UTF8.self)
                    let ref = StrataSearch.ChunkRef(documentID: documentID, ordinal: Int32(ordinal), contentHash: ContentHash.of(chunk.utf8))
                    // Indexed at the precision the store keeps (FP16), so a rebuilt index and
                    // a replica filled by a slot copy score exactly as this one does.
                    let stored = chunk.vector.map(HalfPrecision.rounded)
                    return (IndexedChunk(ref: ref, text: text, metadata: filterable, vector: stored),
                            IndexedChunkDetail(provenance: chunk.provenance, tokenCount: chunk.tokenCount, metadata: metadata))
                }
                try upsert(namespace: namespace, slot: write.slot, documentID: documentID, chunks: indexed, reader: Self.reader(store))
            case .deleteDocument(let namespace, let documentID):
                remove(namespace: namespace, slot: write.slot, documentID: documentID)
            case .dropNamespace(let namespace):
                dropNamespace(namespace, slot: write.slot)
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
            guard let vector = try store.storedVector(ref) else { continue }
            result[i].vector = vector
        }
        return result
    }

    /// The store's chunks of a slot as the index rebuilds them.
    static func reader(_ store: ChunkStore) -> SlotReader {
        { (slot, only, emit) throws(StrataError) in
            // The current document's metadata as the shard filters on it: built once per
            // document (chunks come in document order, ordinal 0 first) and shared by its chunks.
            var filterable: [String: String] = [:]
            try store.forEachChunk(inSlot: slot) { (chunk: StoredChunk) throws(StrataError) in
                let namespace = chunk.ref.namespace
                if let only, namespace != only { return }
                let ref = StrataSearch.ChunkRef(documentID: chunk.provenance.documentID, ordinal: Int32(chunk.ordinal), contentHash: chunk.ref.hash)
                if chunk.ordinal == 0 { filterable = chunk.metadata.dictionary }
                try emit(namespace, (IndexedChunk(ref: ref, text: chunk.text, metadata: filterable, vector: chunk.vector),
                                     IndexedChunkDetail(provenance: chunk.provenance, tokenCount: chunk.tokenCount, metadata: chunk.metadata)))
            }
        }
    }
}
