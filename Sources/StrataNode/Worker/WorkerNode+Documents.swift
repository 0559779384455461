import StrataCore
import StrataRPC
import StrataStore
import StrataWire

/// The worker's FetchDocument RPC: one document's chunks in order, for reading a document
/// back (the coordinator's ReadDocument).
extension WorkerNode {
    static func registerDocumentMethods(_ service: inout ServiceDefinition, _ worker: HandlerReference<WorkerNode>) {
        service.serverStreaming("FetchDocument", FetchDocumentRequest.self, ChunkMessage.self) { request, writer, _ in
            for chunk in try worker().fetchDocument(request) {
                try await writer.send(chunk)
            }
        }
    }

    /// The document's chunks in order, each with its text, token count, provenance and the
    /// document's metadata (no vectors: a reader wants text). NOT_FOUND when no live document
    /// has the id; a chunk that vanishes meanwhile (a delete or upsert won the race) is
    /// NOT_FOUND too, so a reader never gets half of a document.
    func fetchDocument(_ request: FetchDocumentRequest) throws(StrataError) -> [ChunkMessage] {
        let store = try openStore()
        guard !request.namespace.isEmpty else { throw .invalidArgument("namespace is empty") }
        guard !request.documentID.isEmpty else { throw .invalidArgument("document_id is empty") }
        guard let layout = store.documentLayout(namespace: request.namespace, documentID: request.documentID) else {
            throw .notFound("document \(request.documentID) is not stored in namespace \(request.namespace) on this worker")
        }
        let metadata = layout.metadata.wire
        var chunks: [ChunkMessage] = []
        chunks.reserveCapacity(layout.chunks.count)
        for (ordinal, chunk) in layout.chunks.enumerated() {
            let read: ChunkRead
            do throws(StrataError) {
                read = try store.get(StrataStore.ChunkRef(namespace: request.namespace, hash: chunk.hash))
            } catch where error.code == .notFound {
                throw .notFound("document \(request.documentID) changed while it was read; read it again")
            }
            chunks.append(ChunkMessage(namespace: request.namespace, contentHash: chunk.hash, provenance: chunk.provenance,
                                       ordinal: UInt32(ordinal), text: read.text, tokenCount: UInt32(clamping: chunk.tokenCount),
                                       metadata: metadata))
        }
        return chunks
    }
}
