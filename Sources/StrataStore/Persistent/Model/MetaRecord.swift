import StrataCore

/// A slot operation with chunk bodies replaced by their hashes: what a segment stores besides
/// the bodies themselves. Replaying all segments' meta records in order, then the WAL,
/// rebuilds the document table.
struct MetaRecord: Sendable, Equatable {
    enum Operation: Sendable, Equatable {
        case put(DocumentKey, [DocChunk], DocumentMetadata)
        case delete(DocumentKey)
        case drop(namespace: String)
        /// The slot is gone from this store: documents, tombstones and sequence. Replayed in
        /// order, it cancels whatever earlier segments or WAL records said about the slot.
        case forgetSlot
    }

    var slot: UInt32
    var sequence: UInt64
    var operation: Operation
}
