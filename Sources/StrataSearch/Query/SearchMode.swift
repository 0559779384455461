/// Which retrieval path a query takes.
public enum SearchMode: String, Sendable, Codable, CaseIterable {
    /// BM25 over code-aware terms; needs query text.
    case lexical
    /// INT8 scan plus FP16 rescoring; needs a query vector.
    case vector
    /// Weighted reciprocal rank fusion of both; needs text and vector.
    case hybrid
}
