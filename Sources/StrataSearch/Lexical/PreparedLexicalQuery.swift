/// A lexical query with its BM25 term weights under one set of statistics.
///
/// Computed once per query and used on every shard the query runs on: a worker searches a
/// shard per slot (about 170 to 256), and each term's look-up in the statistics (a string
/// hash) and its logarithm were otherwise paid again on every shard.
public struct PreparedLexicalQuery: Sendable {
    /// The query's distinct terms, in `LexicalQuery` order.
    public let terms: [String]
    /// The same terms hashed once for the index of every shard.
    let termKeys: [TermKey]
    /// Per term: its IDF times its count in the query times `k1 + 1` (BM25's numerator scale).
    let numeratorScales: [Float]
    /// `k1 × (1 − b)` and `k1 × b / average length`: BM25's length normalisation.
    let lengthConstant: Float
    let lengthScale: Float

    public init(_ query: LexicalQuery, statistics: LexicalStatistics, parameters: BM25Parameters) {
        let n = max(statistics.documentCount, 1)
        let k1 = Float(parameters.k1)
        terms = query.terms
        termKeys = query.terms.map(TermKey.init)
        lengthConstant = Float(parameters.k1 * (1 - parameters.b))
        lengthScale = Float(parameters.k1 * parameters.b / statistics.averageLength)
        numeratorScales = zip(query.terms, query.counts).map { term, count in
            // A shard that holds the term makes its global frequency at least 1.
            let df = max(statistics.documentFrequencies[term] ?? 0, 1)
            let weight = Float(BM25Parameters.idf(documentFrequency: min(df, n), documentCount: n) * Double(count))
            return weight * (k1 + 1)
        }
    }
}
