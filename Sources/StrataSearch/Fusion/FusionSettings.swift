import StrataCore

/// Weights and constant of weighted reciprocal rank fusion:
/// `score = lexicalWeight / (k + lexicalRank) + vectorWeight / (k + vectorRank)` (ranks from 1).
///
/// The default is BM25-first: with `k = 10` and a vector weight of 0.05, the vector list can
/// never reorder the lexical top 4 and a chunk found only by the vector path scores below
/// lexical rank 200, so it fills results only when BM25 finds few; beyond rank 4 it breaks
/// near-ties. On what was measured (docs/search.md: code and prose, proxy vectors) every
/// heavier vector weight scored below BM25 alone, as equal-weight RRF did with real MiniLM
/// embeddings on code, and a hybrid default must not lose to its best component. Raise
/// `vectorWeight` per namespace or per query when its embeddings are known to help.
public struct FusionSettings: Sendable, Equatable, Codable {
    public var lexicalWeight: Double
    public var vectorWeight: Double
    public var k: Double
    /// How many candidates each path contributes before fusion (at least the query's top-k).
    public var depth: Int

    public init(lexicalWeight: Double = 1.0, vectorWeight: Double = 0.05, k: Double = 10, depth: Int = 100) {
        self.lexicalWeight = lexicalWeight
        self.vectorWeight = vectorWeight
        self.k = k
        self.depth = depth
    }

    public static let `default` = FusionSettings()

    /// Throws `invalidArgument` naming the field when a setting is out of range.
    public func validate() throws(StrataError) {
        guard lexicalWeight.isFinite, lexicalWeight >= 0 else { throw .invalidArgument("fusion.lexicalWeight is \(lexicalWeight); it must be finite and >= 0") }
        guard vectorWeight.isFinite, vectorWeight >= 0 else { throw .invalidArgument("fusion.vectorWeight is \(vectorWeight); it must be finite and >= 0") }
        guard lexicalWeight + vectorWeight > 0 else { throw .invalidArgument("fusion weights are both 0") }
        guard k.isFinite, k >= 0 else { throw .invalidArgument("fusion.k is \(k); it must be finite and >= 0") }
        guard depth > 0 else { throw .invalidArgument("fusion.depth is \(depth); it must be positive") }
    }
}
