import StrataCore

/// A text query analyzed into distinct terms with their multiplicities.
///
/// Built once by whoever fans a query out, so that every shard scores exactly the same terms
/// and the statistics exchanged between shards are keyed by them.
public struct LexicalQuery: Sendable, Equatable {
    /// Distinct terms in first-seen order, and how often each occurred in the query.
    public var terms: [String]
    public var counts: [Int]

    /// Analyzes `text`. Throws `invalidArgument` naming `field` when it holds no searchable term.
    public init(text: String, analyzer: CodeTermAnalyzer = CodeTermAnalyzer(), field: String = "query.text")
        throws(StrataError)
    {
        var index: [String: Int] = [:]
        var terms: [String] = []
        var counts: [Int] = []
        analyzer.forEachTerm(in: text) { term in
            if let i = index[term] {
                counts[i] += 1
            } else {
                index[term] = terms.count
                terms.append(term)
                counts.append(1)
            }
        }
        guard !terms.isEmpty else {
            throw .invalidArgument("\(field) is empty or holds no searchable term (letters or digits)")
        }
        self.terms = terms
        self.counts = counts
    }
}
