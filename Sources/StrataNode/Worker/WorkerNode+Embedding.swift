import StrataCore
import StrataRPC
import StrataSearch
import StrataStore
import StrataWire

/// The worker's half of server-side embedding: it lists the chunks that have no vector (the
/// coordinator embeds them) and turns the vectors that come back (`AttachVectors`, a
/// sequenced slot write like any other) into a put of the document as it stands.
extension WorkerNode {
    static func registerEmbeddingMethods(_ service: inout ServiceDefinition, _ worker: HandlerReference<WorkerNode>) {
        service.unary("ListPendingEmbeddings", PendingEmbeddingsRequest.self, PendingEmbeddingsResponse.self) { request, _ in
            try worker().pendingEmbeddings(request)
        }
    }

    /// The chunks without a vector in the request's slots: their count, and whole documents'
    /// worth of them (text read from the store) up to `max_chunks`, in slot and document order.
    func pendingEmbeddings(_ request: PendingEmbeddingsRequest) throws(StrataError) -> PendingEmbeddingsResponse {
        let store = try openStore()
        guard !request.namespace.isEmpty else { throw .invalidArgument("namespace is empty") }
        let shards = searchIndex.pendingVectors(namespace: request.namespace, slots: request.slots)
        var total: UInt64 = 0
        var documents: [PendingDocument] = []
        var taken = 0
        let limit = max(1, Int(request.maxChunks))
        for (slot, shard) in shards {
            total += UInt64(shard.withoutVectorCount)
            for documentID in shard.withoutVector.keys.sorted() where taken < limit {
                var chunks: [PendingChunk] = []
                var seen: Set<ContentHash> = []
                for ref in shard.withoutVector[documentID] ?? [] where seen.insert(ref.contentHash).inserted {
                    do throws(StrataError) {
                        let read = try store.get(StrataStore.ChunkRef(namespace: request.namespace, hash: ref.contentHash))
                        chunks.append(PendingChunk(contentHash: ref.contentHash, text: read.text))
                    } catch where error.code == .notFound {
                        continue  // deleted since the index snapshot
                    }
                }
                guard !chunks.isEmpty else { continue }
                documents.append(PendingDocument(slot: slot, documentID: documentID, chunks: chunks))
                taken += chunks.count
            }
        }
        return PendingEmbeddingsResponse(pendingChunks: total, documents: documents)
    }

    /// The store operation an `AttachVectors` write becomes, decided from the slot as it
    /// stands (the caller holds the slot's write lock, so every replica decides the same at
    /// this sequence): the document put again with each chunk's vector taken from the attach
    /// by content hash, else the one it has; a document that no longer exists becomes a delete
    /// (which changes nothing but takes the sequence number, so slot copies stay exact).
    static func attachOperation(_ attach: AttachVectors, namespace: String, store: ChunkStore, field: String) throws(StrataError) -> StoreOperation {
        var vectors: [ContentHash: [Float]] = [:]
        for (i, vector) in attach.vectors.enumerated() {
            guard !vector.vector.isEmpty else { throw .invalidArgument("\(field).attach_vectors.vectors[\(i)].vector is empty") }
            vectors[vector.contentHash] = vector.vector
        }
        guard let document = try store.storedDocument(namespace: namespace, documentID: attach.documentID) else {
            return .deleteDocument(namespace: namespace, documentID: attach.documentID)
        }
        let chunks = document.chunks.map { chunk in
            var chunk = chunk
            if chunk.vector == nil { chunk.vector = vectors[ContentHash.of(chunk.utf8)] }
            return chunk
        }
        return .putDocument(namespace: namespace, documentID: attach.documentID, chunks: chunks, metadata: document.metadata)
    }
}
