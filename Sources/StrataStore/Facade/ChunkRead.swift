import StrataCore

/// A chunk returned by `ChunkStore.get`, with the tier that served it.
public struct ChunkRead: Sendable, Equatable {
    public var ref: ChunkRef
    public var text: String
    public var tokenCount: Int
    /// The vector at the serving tier's precision (INT8/FP16 reconstruction).
    public var vector: [Float]?
    public var tier: TierName
}
