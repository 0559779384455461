/// What the shard indexes for one chunk: its reference, text (analyzed, not kept), metadata
/// and optional embedding.
public struct IndexedChunk: Sendable {
    public var ref: ChunkRef
    public var text: String
    public var metadata: [String: String]
    /// Required length: the shard's vector dimension. `nil`: the chunk is found by lexical search only.
    public var vector: [Float]?

    public init(ref: ChunkRef, text: String, metadata: [String: String] = [:], vector: [Float]? = nil) {
        self.ref = ref
        self.text = text
        self.metadata = metadata
        self.vector = vector
    }
}
