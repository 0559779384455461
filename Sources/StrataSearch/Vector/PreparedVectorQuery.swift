import StrataCore

/// A query vector in the forms the scan and the rescoring need, computed once per query.
struct PreparedVectorQuery: Sendable {
    /// Normalized for cosine, as given for dot.
    var exact: [Float]
    /// INT8 values padded to the storage's padded dimension.
    var quantized: [Int8]
    var scale: Float

    init(_ vector: [Float], storage: VectorStorage) {
        exact = storage.metric == .cosine ? VectorStorage.normalized(vector) : vector
        let q = Int8Vector(quantizing: exact)
        quantized = q.values + [Int8](repeating: 0, count: storage.paddedDimension - storage.dimension)
        scale = q.scale
    }
}
