/// One search result: the chunk and its score under the query's mode. For hybrid queries the
/// component scores are kept so a coordinator can re-fuse lists merged from several shards.
public struct SearchHit: Sendable, Equatable {
    public var ref: ChunkRef
    /// BM25 (lexical), similarity (vector) or fused RRF score (hybrid). Higher is better.
    public var score: Double
    public var lexicalScore: Double?
    public var vectorScore: Double?

    public init(ref: ChunkRef, score: Double, lexicalScore: Double? = nil, vectorScore: Double? = nil) {
        self.ref = ref
        self.score = score
        self.lexicalScore = lexicalScore
        self.vectorScore = vectorScore
    }
}
