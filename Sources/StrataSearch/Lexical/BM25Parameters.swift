import StrataCore

/// The two knobs of Okapi BM25: term-frequency saturation `k1` and length normalization `b`.
public struct BM25Parameters: Sendable, Equatable, Codable {
    public var k1: Double
    public var b: Double

    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }

    /// Lucene's defaults, which work well for code and prose alike.
    public static let `default` = BM25Parameters()

    /// Throws `invalidArgument` naming the field when a parameter is out of its range.
    public func validate() throws(StrataError) {
        guard k1.isFinite, k1 >= 0 else { throw .invalidArgument("bm25.k1 is \(k1); it must be finite and >= 0") }
        guard b.isFinite, (0...1).contains(b) else { throw .invalidArgument("bm25.b is \(b); it must be within 0...1") }
    }

    /// Inverse document frequency, Lucene's variant (never negative, so common terms still count a little).
    @inline(__always)
    public static func idf(documentFrequency df: Int, documentCount n: Int) -> Double {
        let df = Double(df)
        let n = Double(n)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }

    /// The largest score a chunk could reach for `query`: each term's IDF times `k1 + 1` (what
    /// its BM25 term approaches as its frequency grows), times its count in the query. A top
    /// hit near it holds the query's words, the rare ones included, many times over.
    public func scoreBound(_ query: LexicalQuery, statistics: LexicalStatistics) -> Double {
        var bound = 0.0
        for (term, count) in zip(query.terms, query.counts) {
            let df = statistics.documentFrequencies[term] ?? 0
            guard df > 0 else { continue }
            bound += Double(count) * Self.idf(documentFrequency: df, documentCount: statistics.documentCount) * (k1 + 1)
        }
        return bound
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
