import CStrataSupport
import StrataCore

/// Vectors of one shard, one row per slot, stored twice in contiguous arrays:
/// INT8 (symmetric, one scale per row, rows padded to 32 components) for the exact scan, and
/// FP16 (divided by the row's largest magnitude, so no value can overflow FP16) for rescoring
/// the scan's best candidates. Slots without a vector have `present == false`.
///
/// Padding every row to a multiple of 32 lets the scan use whole `SIMD32<Int8>` loads with no
/// tail loop; the pad is zero in rows and query alike, so it adds nothing to the dot product.
///
/// Offloaded (`resident == false`): only `present` is kept, the rows live elsewhere (a
/// namespace's IVF lists, `VectorStorage+Offload`); appends then record presence only.
struct VectorStorage: Sendable {
    let dimension: Int
    let paddedDimension: Int
    let metric: VectorMetric
    var quantized: [Int8] = []
    var scales: [Float] = []
    var rescoreRows: [Float16] = []
    var rescoreScales: [Float] = []
    var present: [Bool] = []
    /// False once the rows were dropped (`offload()`): nothing here can be scanned.
    var resident = true

    init(dimension: Int, metric: VectorMetric) {
        self.dimension = dimension
        self.paddedDimension = (dimension + 31) / 32 * 32
        self.metric = metric
    }

    var rowCount: Int { present.count }

    /// Appends the next row; `vector` must already be validated (dimension, finite).
    mutating func append(_ vector: [Float]?) {
        guard resident else { return present.append(vector != nil) }
        guard let vector else {
            quantized.append(contentsOf: repeatElement(0, count: paddedDimension))
            scales.append(0)
            rescoreRows.append(contentsOf: repeatElement(0, count: dimension))
            rescoreScales.append(0)
            present.append(false)
            return
        }
        let prepared = metric == .cosine ? Self.normalized(vector) : vector
        let q = Int8Vector(quantizing: prepared)
        quantized.append(contentsOf: q.values)
        quantized.append(contentsOf: repeatElement(0, count: paddedDimension - dimension))
        scales.append(q.scale)
        var maxMagnitude: Float = 0
        for x in prepared { maxMagnitude = max(maxMagnitude, abs(x)) }
        let inverse: Float = maxMagnitude > 0 ? 1 / maxMagnitude : 0
        // Converted in C (F16C where present): `Float16(Float)` is a compiler-rt call per component.
        let scaled = prepared.map { $0 * inverse }
        let start = rescoreRows.count
        rescoreRows.append(contentsOf: repeatElement(0, count: dimension))
        rescoreRows.withUnsafeMutableBufferPointer { rows in
            scaled.withUnsafeBufferPointer { source in
                guard let src = source.baseAddress, let base = rows.baseAddress, dimension > 0 else { return }
                strata_f32_to_f16(src, UnsafeMutableRawPointer(base + start).assumingMemoryBound(to: UInt16.self), dimension)
            }
        }
        rescoreScales.append(maxMagnitude)
        present.append(true)
    }

    /// `vector` scaled to unit length (a zero vector stays zero).
    static func normalized(_ vector: [Float]) -> [Float] {
        var sum: Double = 0
        for x in vector { sum += Double(x) * Double(x) }
        guard sum > 0 else { return vector }
        let inverse = Float(1 / sum.squareRoot())
        return vector.map { $0 * inverse }
    }

    /// A copy holding only the rows where `keep` is true, in order.
    func compacted(keeping keep: [Bool]) -> VectorStorage {
        var result = VectorStorage(dimension: dimension, metric: metric)
        guard resident else {
            result.offload()
            result.present = present.indices.filter { keep[$0] }.map { present[$0] }
            return result
        }
        for row in 0..<rowCount where keep[row] {
            result.quantized.append(contentsOf: quantized[row * paddedDimension..<(row + 1) * paddedDimension])
            result.scales.append(scales[row])
            result.rescoreRows.append(contentsOf: rescoreRows[row * dimension..<(row + 1) * dimension])
            result.rescoreScales.append(rescoreScales[row])
            result.present.append(present[row])
        }
        return result
    }
}
