/// BM25 statistics of a query's terms over some chunks: how many chunks, their total length,
/// and per term (in the query's term order) how many chunks hold it. Sums over disjoint sets
/// of chunks add up, so a coordinator adds every worker's to get the cluster's.
public struct TermCounts: Sendable, Equatable {
    public var chunkCount: UInt64
    public var totalLength: UInt64
    public var documentFrequencies: [UInt64]

    public init(chunkCount: UInt64 = 0, totalLength: UInt64 = 0, documentFrequencies: [UInt64] = []) {
        self.chunkCount = chunkCount
        self.totalLength = totalLength
        self.documentFrequencies = documentFrequencies
    }

    /// Nothing counted (no statistics were given).
    public var isEmpty: Bool { chunkCount == 0 && documentFrequencies.isEmpty }
}
