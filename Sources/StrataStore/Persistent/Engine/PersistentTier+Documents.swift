import StrataCore

/// One live document as the persistent tier holds it: its chunks in order and its metadata.
public struct DocumentLayout: Sendable, Equatable {
    /// One chunk reference of the document (bodies are shared through dedup, so the
    /// provenance lives here, with the document, not with the body).
    public struct Chunk: Sendable, Equatable {
        public var hash: ContentHash
        public var tokenCount: Int
        public var provenance: ChunkProvenance
    }

    public var slot: UInt32
    public var chunks: [Chunk]
    public var metadata: DocumentMetadata
}

extension PersistentTier {
    /// A live document's chunks in order with their provenance, and its metadata; nil when
    /// the document does not exist.
    public func documentLayout(namespace: String, documentID: String) -> DocumentLayout? {
        state.withLock {
            locked.index.documents[DocumentKey(namespace: namespace, documentID: documentID)].map { document in
                DocumentLayout(
                    slot: document.slot,
                    chunks: document.chunks.map { DocumentLayout.Chunk(hash: $0.hash, tokenCount: $0.tokenCount, provenance: $0.provenance) },
                    metadata: document.metadata)
            }
        }
    }
}
