import StrataCore

/// A chunk as read back from the store, with its place in its document.
public struct StoredChunk: Sendable, Equatable {
    public var ref: ChunkRef
    public var slot: UInt32
    /// Sequence number of the batch that last wrote the document.
    public var sequence: UInt64
    /// Position of the chunk in its document (0-based).
    public var ordinal: Int
    public var text: String
    public var tokenCount: Int
    public var provenance: ChunkProvenance
    /// The stored vector (persisted at FP16, so within FP16 precision of what was written).
    public var vector: [Float]?
    /// The metadata of the chunk's document.
    public var metadata: DocumentMetadata

    public init(ref: ChunkRef, slot: UInt32, sequence: UInt64, ordinal: Int, text: String, tokenCount: Int,
                provenance: ChunkProvenance, vector: [Float]?, metadata: DocumentMetadata = .empty) {
        self.ref = ref
        self.slot = slot
        self.sequence = sequence
        self.ordinal = ordinal
        self.text = text
        self.tokenCount = tokenCount
        self.provenance = provenance
        self.vector = vector
        self.metadata = metadata
    }
}
