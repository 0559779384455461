import StrataCore
import StrataStore
import StrataWire

/// Maps slot writes between the wire (one operation per sequence number) and the store.
enum SlotWriteMapping {
    /// The store batch for one wire write. The put's document metadata is validated here
    /// (INVALID_ARGUMENT naming `field.put.metadata[i]`), before the store sees anything; the
    /// copies repeated on the chunks are ignored, the document's own list is authoritative.
    /// `store` resolves an `attachVectors` write (see `WorkerNode.attachOperation`); without
    /// one such a write is refused.
    static func storeWrite(slot: UInt32, _ write: StrataWire.SlotWrite, field: String = "write",
                           store: ChunkStore? = nil) throws(StrataError) -> StrataStore.SlotWrite {
        let operation: StoreOperation
        switch write.operation {
        case .put(let put):
            let metadata = try DocumentMetadata(wire: put.metadata, field: "\(field).put.metadata")
            operation = .putDocument(namespace: write.namespace, documentID: put.documentID, chunks: put.chunks.map { chunk in
                ChunkInput(text: chunk.text, tokenCount: Int(chunk.tokenCount), provenance: chunk.provenance,
                           vector: chunk.vector.isEmpty ? nil : chunk.vector)
            }, metadata: metadata)
        case .deleteDocument(let id):
            operation = .deleteDocument(namespace: write.namespace, documentID: id)
        case .dropNamespace:
            operation = .dropNamespace(namespace: write.namespace)
        case .attachVectors(let attach):
            guard let store else { throw .invalidArgument("\(field).attach_vectors is only accepted by ApplyWrites") }
            operation = try WorkerNode.attachOperation(attach, namespace: write.namespace, store: store, field: field)
        }
        return StrataStore.SlotWrite(slot: slot, sequence: write.sequence, operations: [operation])
    }

    /// The wire writes for one exported store batch. Batches written through the worker carry
    /// one operation each; a batch with several would share one sequence number on the wire,
    /// and the importer would skip all but the first, so it is refused instead.
    static func wireWrites(_ write: StrataStore.SlotWrite) throws(StrataError) -> [StrataWire.SlotWrite] {
        guard write.operations.count == 1, let operation = write.operations.first else {
            throw StrataError(.internal, "slot \(write.slot) sequence \(write.sequence) holds \(write.operations.count) operations; the wire carries one per sequence")
        }
        switch operation {
        case .putDocument(let namespace, let documentID, let chunks, let metadata):
            // The chunks go without their copy of the metadata: the importer reads the put's.
            let messages = chunks.enumerated().map { ordinal, chunk in
                let text = String(decoding: chunk.utf8, as: UTF8.self)
                return ChunkMessage(
                    namespace: namespace, contentHash: ContentHash.of(text), provenance: chunk.provenance,
                    ordinal: UInt32(ordinal), text: text, tokenCount: UInt32(clamping: chunk.tokenCount),
                    vector: chunk.vector ?? [], metadata: [])
            }
            return [StrataWire.SlotWrite(sequence: write.sequence, namespace: namespace,
                                         operation: .put(PutDocument(documentID: documentID, metadata: metadata.wire, chunks: messages)))]
        case .deleteDocument(let namespace, let documentID):
            return [StrataWire.SlotWrite(sequence: write.sequence, namespace: namespace, operation: .deleteDocument(id: documentID))]
        case .dropNamespace(let namespace):
            return [StrataWire.SlotWrite(sequence: write.sequence, namespace: namespace, operation: .dropNamespace)]
        }
    }
}
