import StrataCore

/// Weights and constant of weighted reciprocal rank fusion:
/// `score = lexicalWeight / (k + lexicalRank) + vectorWeight / (k + vectorRank)` (ranks from 1).
///
/// The default is BM25 first, vectors to fill: with `k = 10` and a vector weight of 0.01 the
/// largest vector contribution (0.01/11) is smaller than the gap between lexical ranks r and
/// r+1 for every r ≤ 22, and smaller than the score of any lexical hit within depth, so the
/// lexical top 23 keep their order and a chunk found only by the vector path comes after
/// every lexical hit: a top-10 equals BM25's whenever BM25 finds 10, and vector hits fill it
/// when BM25 finds fewer. On what was measured (docs/search.md: code and prose, proxy vectors)
/// every heavier vector weight tried lost to BM25 alone on at least one corpus, as
/// equal-weight RRF did with real MiniLM embeddings on code, and a hybrid default must not
/// lose to its best component. Raise `vectorWeight` per namespace or per query when its
/// embeddings are measured to help.
public struct FusionSettings: Sendable, Equatable, Codable {
    public var lexicalWeight: Double
    public var vectorWeight: Double
    public var k: Double
    /// How many candidates each path contributes before fusion (at least the query's top-k).
    public var depth: Int

    public init(lexicalWeight: Double = 1.0, vectorWeight: Double = 0.01, k: Double = 10, depth: Int = 100) {
        self.lexicalWeight = lexicalWeight
        self.vectorWeight = vectorWeight
        self.k = k
        self.depth = depth
    }

    public static let `default` = FusionSettings()

    /// Throws `invalidArgument` naming the field when a setting is out of range.
    public func validate() throws(StrataError) {
        guard lexicalWeight.isFinite, lexicalWeight >= 0 else {
            throw .invalidArgument("fusion.lexicalWeight is \(lexicalWeight); it must be finite and >= 0")
        }
        guard vectorWeight.isFinite, vectorWeight >= 0 else {
            throw .invalidArgument("fusion.vectorWeight is \(vectorWeight); it must be finite and >= 0")
        }
        guard lexicalWeight + vectorWeight > 0 else { throw .invalidArgument("fusion weights are both 0") }
        guard k.isFinite, k >= 0 else { throw .invalidArgument("fusion.k is \(k); it must be finite and >= 0") }
        guard depth > 0 else { throw .invalidArgument("fusion.depth is \(depth); it must be positive") }
    }
}
