import StrataCore

/// Weights and constant of weighted reciprocal rank fusion:
/// `score = lexicalWeight / (k + lexicalRank) + vectorWeight / (k + vectorRank)` (ranks from 1).
///
/// The default, equal weights with `k = 5`, was chosen by measurement (docs/search.md): with
/// real all-MiniLM-L6-v2 embeddings it beat both BM25 alone and vectors alone, in recall@10
/// and MRR@10, on a code corpus (Python stdlib, docstring → function) and a prose corpus
/// (licenses), while the usual `k = 60` scored below vectors alone and BM25-leaning weights far
/// below them. With weak vectors (a hashed-trigram proxy) every fusion lost to BM25, this one
/// by at most 4 points, the least of the settings that won with real embeddings. A namespace
/// whose embeddings are known to be weak should query in lexical mode or raise `lexicalWeight`.
public struct FusionSettings: Sendable, Equatable, Codable {
    public var lexicalWeight: Double
    public var vectorWeight: Double
    public var k: Double
    /// How many candidates each path contributes before fusion (at least the query's top-k).
    public var depth: Int

    public init(lexicalWeight: Double = 1.0, vectorWeight: Double = 1.0, k: Double = 5, depth: Int = 100) {
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
