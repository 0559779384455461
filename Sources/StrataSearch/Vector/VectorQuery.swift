import StrataCore

/// A query vector validated and prepared (normalized, quantized, regrouped) once, to search
/// many shards of one namespace: a worker holds a shard per slot, and `searchVector([Float], …)`
/// redid the validation and preparation on every one of them, for every query.
public struct VectorQuery: Sendable {
    let prepared: PreparedVectorQuery
    public let dimension: Int
    public let metric: VectorMetric

    /// Throws `invalidArgument` naming `field` when the vector has the wrong dimension, a
    /// non-finite component, or (cosine) is all zeros.
    public init(_ vector: [Float], dimension: Int, metric: VectorMetric, field: String = "query.vector") throws(StrataError) {
        try VectorValidation.validate(vector, dimension: dimension, field: field)
        if metric == .cosine, !vector.contains(where: { $0 != 0 }) {
            throw .invalidArgument("\(field) is all zeros; cosine similarity needs a nonzero vector")
        }
        self.dimension = dimension
        self.metric = metric
        prepared = PreparedVectorQuery(vector, dimension: dimension, metric: metric)
    }
}

/// Buffers a vector search reuses across the shards it searches (the INT8 scores), so that a
/// query over a worker's slots allocates them once rather than once per slot.
public struct VectorSearchScratch: Sendable {
    var scores: [Float] = []

    public init() {}

    /// A buffer of at least `count` scores (contents unspecified).
    mutating func withScores<R>(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        if scores.count < count { scores = [Float](repeating: 0, count: max(count, 2 * scores.count)) }
        return scores.withUnsafeMutableBufferPointer { all in body(UnsafeMutableBufferPointer(rebasing: all[0..<count])) }
    }
}
