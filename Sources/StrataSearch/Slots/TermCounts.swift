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

    /// Adds another set's counts (term by term; terms beyond this set's are ignored).
    public mutating func add(_ other: TermCounts) {
        chunkCount += other.chunkCount
        totalLength += other.totalLength
        for (i, frequency) in other.documentFrequencies.enumerated() where i < documentFrequencies.count {
            documentFrequencies[i] += frequency
        }
    }

    /// The counts as BM25 statistics keyed by `terms` (the query's distinct terms, in the
    /// order the counts follow).
    public func statistics(terms: [String]) -> LexicalStatistics {
        var frequencies: [String: Int] = [:]
        for (term, df) in zip(terms, documentFrequencies) { frequencies[term] = Int(clamping: df) }
        return LexicalStatistics(documentCount: Int(clamping: chunkCount), totalLength: Int(clamping: totalLength),
                                 documentFrequencies: frequencies)
    }
}
