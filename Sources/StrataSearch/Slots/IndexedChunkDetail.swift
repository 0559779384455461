import StrataCore
import StrataStore

/// What the worker keeps beside a searchable chunk so that a candidate can be answered without
/// reading the store: where the chunk sits in its document, its exact token count and its
/// document's metadata (returned on every candidate, `Chunk.metadata`).
///
/// The search shard keeps only references; the store keeps provenance per document chunk but
/// has no lookup by (document, ordinal), so the index holds these few words per chunk itself.
struct IndexedChunkDetail: Sendable, Equatable {
    var provenance: ChunkProvenance
    var tokenCount: Int
    var metadata: DocumentMetadata = .empty
}
