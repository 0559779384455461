import StrataCore

extension ChunkStore {
    /// Applies a batch to a slot; returns once it is durable (that return is the ack).
    /// Chunks the batch leaves unreferenced are then removed from every memory tier.
    @discardableResult
    public func apply(_ write: SlotWrite) throws(StrataError) -> ApplyOutcome {
        let before = chunksTouched(by: write)
        let outcome = try persistent.apply(write)
        for ref in before where !persistent.containsLive(cacheKey: ref.cacheKey) {
            tiers.remove(ref.cacheKey)
        }
        return outcome
    }

    /// Deletes a document (and its chunks from every tier).
    @discardableResult
    public func deleteDocument(namespace: String, documentID: String, slot: UInt32, sequence: UInt64) throws(StrataError) -> ApplyOutcome {
        try apply(SlotWrite(slot: slot, sequence: sequence, operations: [.deleteDocument(namespace: namespace, documentID: documentID)]))
    }

    /// Drops every document of a namespace held in a slot.
    @discardableResult
    public func dropNamespace(_ namespace: String, slot: UInt32, sequence: UInt64) throws(StrataError) -> ApplyOutcome {
        try apply(SlotWrite(slot: slot, sequence: sequence, operations: [.dropNamespace(namespace: namespace)]))
    }

    /// Imports an exported slot stream (see `PersistentTier.exportSlot`).
    public func importSlot<S: Sequence>(_ batches: S) throws(StrataError) where S.Element == SlotWrite {
        for batch in batches { try apply(batch) }
    }

    /// The chunks that documents touched by `write` reference now (candidates for removal
    /// from the memory tiers once the write is applied).
    private func chunksTouched(by write: SlotWrite) -> [ChunkRef] {
        var documents: [DocumentKey] = []
        var refs: [ChunkRef] = []
        for op in write.operations {
            switch op {
            case .putDocument(let ns, let doc, _, _), .deleteDocument(let ns, let doc):
                documents.append(DocumentKey(namespace: ns, documentID: doc))
            case .dropNamespace(let ns):
                refs += persistent.chunks(namespace: ns, slot: write.slot)
            }
        }
        // One look under the store's lock for the whole batch, not one per document: the
        // lock is what concurrent writers share.
        return refs + persistent.documentChunks(documents)
    }
}
