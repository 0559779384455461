import StrataCore

/// A document's reference to one stored chunk body (bodies are shared through dedup).
struct DocChunk: Sendable, Equatable {
    var hash: ContentHash
    var tokenCount: Int
    var provenance: ChunkProvenance
}
