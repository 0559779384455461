/// One entry of a component ranking handed to `HybridFusion`: a key that identifies the chunk
/// across both lists and the component's score (BM25, or similarity), best first.
public struct RankedCandidate: Sendable, Equatable {
    public var key: String
    public var score: Double

    public init(key: String, score: Double) {
        self.key = key
        self.score = score
    }
}
