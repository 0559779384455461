import StrataCore

/// One change to a slot, as logged in the WAL and exported to other workers.
public enum StoreOperation: Sendable, Equatable {
    /// Replaces the whole document (documents are upserted whole) with these chunks and this
    /// metadata (kept with the document, filterable by equality).
    case putDocument(namespace: String, documentID: String, chunks: [ChunkInput], metadata: DocumentMetadata = .empty)
    /// Removes the document and its chunks; deleting a missing document is a no-op.
    case deleteDocument(namespace: String, documentID: String)
    /// Removes every document of the namespace held in this slot.
    case dropNamespace(namespace: String)
}
