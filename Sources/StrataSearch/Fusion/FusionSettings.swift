import StrataCore

/// Weights and constant of weighted reciprocal rank fusion:
/// `score = lexicalWeight / (k + lexicalRank) + vectorWeight / (k + vectorRank)` (ranks from 1).
///
/// The default leans on BM25 (see docs/search.md for the measurements behind it): equal
/// weights scored below BM25 alone on code search, and a hybrid default must not lose to its
/// best component.
public struct FusionSettings: Sendable, Equatable, Codable {
    public var lexicalWeight: Double
    public var vectorWeight: Double
    public var k: Double
    /// How many candidates each path contributes before fusion (at least the query's top-k).
    public var depth: Int

    public init(lexicalWeight: Double = 1.0, vectorWeight: Double = 0.25, k: Double = 60, depth: Int = 100) {
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
