import StrataCore
import StrataStore
import StrataWire

/// Maps slot writes between the wire (a write or a batch per sequence number) and the store.
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

    /// The store batch for one streamed batch: every operation of the sequence, in order
    /// (none for a sequence whose operations left nothing to stream).
    static func storeWrite(slot: UInt32, _ batch: SlotBatch, field: String = "batch") throws(StrataError) -> StrataStore.SlotWrite {
        var operations: [StoreOperation] = []
        for (i, write) in batch.writes.enumerated() {
            operations += try storeWrite(slot: slot, write, field: "\(field).writes[\(i)]").operations
        }
        return StrataStore.SlotWrite(slot: slot, sequence: batch.sequence, operations: operations)
    }

    /// The stream record for one exported store batch: a write when the sequence holds exactly
    /// one operation, else a batch -- several operations (a namespace drop that removed several
    /// documents) or none (the slot's last sequence when its operations left nothing behind).
    /// Every sequence the export names travels, so a copy always ends at the source's position.
    static func record(_ write: StrataStore.SlotWrite) -> SlotRecord {
        let writes = write.operations.map { wireWrite(sequence: write.sequence, $0) }
        if writes.count == 1, let only = writes.first { return .write(only) }
        return .batch(SlotBatch(sequence: write.sequence, writes: writes))
    }

    private static func wireWrite(sequence: UInt64, _ operation: StoreOperation) -> StrataWire.SlotWrite {
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
            return StrataWire.SlotWrite(sequence: sequence, namespace: namespace,
                                        operation: .put(PutDocument(documentID: documentID, metadata: metadata.wire, chunks: messages)))
        case .deleteDocument(let namespace, let documentID):
            return StrataWire.SlotWrite(sequence: sequence, namespace: namespace, operation: .deleteDocument(id: documentID))
        case .dropNamespace(let namespace):
            return StrataWire.SlotWrite(sequence: sequence, namespace: namespace, operation: .dropNamespace)
        }
    }
}
