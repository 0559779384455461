import StrataCore

/// A query vector in the forms the scan and the rescoring need, computed once per query.
struct PreparedVectorQuery: Sendable {
    /// Normalized for cosine, as given for dot.
    var exact: [Float]
    /// INT8 values padded to the storage's padded dimension.
    var quantized: [Int8]
    var scale: Float
    /// `exact` regrouped per 16 components as 8 even-indexed then 8 odd-indexed values, the
    /// order in which the rescoring kernel unpacks FP16 pairs.
    var evenOdd: [Float]

    init(_ vector: [Float], storage: VectorStorage) {
        exact = storage.metric == .cosine ? VectorStorage.normalized(vector) : vector
        let q = Int8Vector(quantizing: exact)
        quantized = q.values + [Int8](repeating: 0, count: storage.paddedDimension - storage.dimension)
        scale = q.scale
        evenOdd = []
        evenOdd.reserveCapacity(exact.count)
        for block in stride(from: 0, to: exact.count - exact.count % 16, by: 16) {
            for i in stride(from: 0, to: 16, by: 2) { evenOdd.append(exact[block + i]) }
            for i in stride(from: 1, to: 16, by: 2) { evenOdd.append(exact[block + i]) }
        }
    }
}
