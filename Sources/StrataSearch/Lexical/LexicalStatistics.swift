/// The corpus statistics BM25 needs, for the terms of one query.
///
/// Every shard exports its own (`SearchShard.statistics(for:)`); the coordinator sums them
/// with `merged(_:)` and hands the sum back to every shard, so that BM25 scores computed on
/// different workers use the same IDF and average length and can be merged by score.
public struct LexicalStatistics: Sendable, Equatable, Codable {
    /// Live chunks.
    public var documentCount: Int
    /// Sum of the live chunks' lengths in terms.
    public var totalLength: Int
    /// Live chunks that contain each term (terms absent from every chunk may be missing or 0).
    public var documentFrequencies: [String: Int]

    public init(documentCount: Int, totalLength: Int, documentFrequencies: [String: Int]) {
        self.documentCount = documentCount
        self.totalLength = totalLength
        self.documentFrequencies = documentFrequencies
    }

    public static let empty = LexicalStatistics(documentCount: 0, totalLength: 0, documentFrequencies: [:])

    /// Average chunk length in terms; 1 for an empty corpus so normalization stays finite.
    public var averageLength: Double {
        documentCount > 0 && totalLength > 0 ? Double(totalLength) / Double(documentCount) : 1
    }

    /// The statistics of the union of the shards that produced `parts` (shards hold disjoint chunks).
    public static func merged(_ parts: some Sequence<LexicalStatistics>) -> LexicalStatistics {
        var result = LexicalStatistics.empty
        for part in parts {
            result.documentCount += part.documentCount
            result.totalLength += part.totalLength
            result.documentFrequencies.merge(part.documentFrequencies, uniquingKeysWith: +)
        }
        return result
    }
}
