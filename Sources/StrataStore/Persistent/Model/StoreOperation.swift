/// One change to a slot, as logged in the WAL and exported to other workers.
public enum StoreOperation: Sendable, Equatable {
    /// Replaces the whole document (documents are upserted whole) with these chunks.
    case putDocument(namespace: String, documentID: String, chunks: [ChunkInput])
    /// Removes the document and its chunks; deleting a missing document is a no-op.
    case deleteDocument(namespace: String, documentID: String)
    /// Removes every document of the namespace held in this slot.
    case dropNamespace(namespace: String)
}
