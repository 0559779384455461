/// One chunk a `SlotSearchIndex` search found: its reference and details, its score under the
/// query's mode, and its component scores and 1-based ranks (0: not in that list), which the
/// coordinator needs to merge and re-fuse every worker's candidates.
public struct SlotCandidate: Sendable, Equatable {
    public var ref: ChunkRef
    public var detail: IndexedChunkDetail
    public var score: Double
    public var lexicalScore: Double
    public var vectorScore: Double
    public var lexicalRank: UInt32
    public var vectorRank: UInt32

    public init(ref: ChunkRef, detail: IndexedChunkDetail, score: Double, lexicalScore: Double = 0, vectorScore: Double = 0,
                lexicalRank: UInt32 = 0, vectorRank: UInt32 = 0) {
        self.ref = ref
        self.detail = detail
        self.score = score
        self.lexicalScore = lexicalScore
        self.vectorScore = vectorScore
        self.lexicalRank = lexicalRank
        self.vectorRank = vectorRank
    }

    /// The candidate as `ShardResultMerging.merge` takes it: a component score only for a
    /// list it is in.
    public var hit: SearchHit {
        SearchHit(ref: ref, score: score, lexicalScore: lexicalRank > 0 ? lexicalScore : nil, vectorScore: vectorRank > 0 ? vectorScore : nil)
    }
}
