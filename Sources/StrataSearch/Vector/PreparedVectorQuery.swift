import StrataCore

/// A query vector in the forms the scan and the rescoring need, computed once per query.
struct PreparedVectorQuery: Sendable {
    /// Normalized for cosine, as given for dot.
    var exact: [Float]
    /// INT8 values padded to the storage's padded dimension.
    var quantized: [Int8]
    var scale: Float

    init(_ vector: [Float], storage: VectorStorage) {
        self.init(vector, dimension: storage.dimension, metric: storage.metric)
    }

    /// `vector` must have `dimension` components; the padding follows `VectorStorage`'s.
    init(_ vector: [Float], dimension: Int, metric: VectorMetric) {
        exact = metric == .cosine ? VectorStorage.normalized(vector) : vector
        let q = Int8Vector(quantizing: exact)
        let padded = (dimension + 31) / 32 * 32
        quantized = q.values + [Int8](repeating: 0, count: padded - dimension)
        scale = q.scale
    }
}
