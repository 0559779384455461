/// Dropping a storage's rows once another copy serves them (a namespace's IVF lists), and
/// filling them back from the source of truth when the exact scan needs them again.
extension VectorStorage {
    /// Drops the INT8 and FP16 rows, keeping which rows have a vector.
    mutating func offload() {
        quantized = []
        scales = []
        rescoreRows = []
        rescoreScales = []
        resident = false
    }

    /// The rows given back: row `r` gets `vector(r)` when it is present (nil: the source has
    /// none any more, and the row is recorded without a vector).
    func reloaded(_ vector: (Int) -> [Float]?) -> VectorStorage {
        guard !resident else { return self }
        var result = VectorStorage(dimension: dimension, metric: metric)
        for row in 0..<rowCount { result.append(present[row] ? vector(row) : nil) }
        return result
    }

    /// Bytes of rows held in memory (0 when offloaded; `present` not counted).
    var residentBytes: Int {
        quantized.count + scales.count * 4 + rescoreRows.count * 2 + rescoreScales.count * 4
    }
}
