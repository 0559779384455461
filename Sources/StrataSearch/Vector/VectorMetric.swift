/// How the vector index compares vectors.
public enum VectorMetric: String, Sendable, Codable, CaseIterable {
    /// Cosine similarity: vectors are normalized at insertion and at query time, then dotted.
    case cosine
    /// Raw inner product.
    case dot
}
