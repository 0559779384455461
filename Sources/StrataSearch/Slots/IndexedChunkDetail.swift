import StrataCore

/// What the worker keeps beside a searchable chunk so that a candidate can be answered without
/// reading the store: where the chunk sits in its document, its exact token count and its
/// document's metadata (returned on every candidate, `Chunk.metadata`).
///
/// The search shard keeps only references; the store keeps provenance per document chunk but
/// has no lookup by (document, ordinal), so the index holds these few words per chunk itself.
public struct IndexedChunkDetail: Sendable, Equatable {
    public var provenance: ChunkProvenance
    public var tokenCount: Int
    public var metadata: DocumentMetadata

    public init(provenance: ChunkProvenance, tokenCount: Int, metadata: DocumentMetadata = .empty) {
        self.provenance = provenance
        self.tokenCount = tokenCount
        self.metadata = metadata
    }
}
