import CStrataSupport
import StrataCore

/// Lists filled from rows another `VectorStorage` already holds (a worker's slot shards), so
/// that a list holds bit for bit the INT8 and FP16 rows the exact scan reads, and scores as
/// it does.
extension IVFList {
    /// Appends row `row` of `storage` (same dimension and metric) under `id`; returns its row.
    mutating func append(id: UInt64, copying storage: VectorStorage, row: Int) -> Int {
        ids.append(id)
        vectors.appendRow(row, of: storage)
        if !storage.present[row] { deadCount += 1 }
        return ids.count - 1
    }

    /// Whether `other` holds the same live ids with the same rows, whatever their order and
    /// tombstones: what a list file must hold to be used again at restart.
    func hasSameLiveRows(as other: IVFList) -> Bool {
        guard liveCount == other.liveCount else { return false }
        var rows: [UInt64: Int] = [:]
        rows.reserveCapacity(other.liveCount)
        for (row, id) in other.ids.enumerated() where other.vectors.present[row] { rows[id] = row }
        for (row, id) in ids.enumerated() where vectors.present[row] {
            guard let theirs = rows[id], vectors.sameRow(row, as: other.vectors, row: theirs) else { return false }
        }
        return true
    }
}

extension VectorStorage {
    /// Appends a copy of `row` of `other` (same dimension and metric).
    mutating func appendRow(_ row: Int, of other: VectorStorage) {
        quantized.append(contentsOf: other.quantized[row * paddedDimension..<(row + 1) * paddedDimension])
        scales.append(other.scales[row])
        rescoreRows.append(contentsOf: other.rescoreRows[row * dimension..<(row + 1) * dimension])
        rescoreScales.append(other.rescoreScales[row])
        present.append(other.present[row])
    }

    /// Whether `row` holds exactly what `theirRow` of `other` holds.
    func sameRow(_ row: Int, as other: VectorStorage, row theirRow: Int) -> Bool {
        scales[row] == other.scales[theirRow] && rescoreScales[row] == other.rescoreScales[theirRow]
            && quantized[row * paddedDimension..<(row + 1) * paddedDimension]
                .elementsEqual(other.quantized[theirRow * paddedDimension..<(theirRow + 1) * paddedDimension])
            && rescoreRows[row * dimension..<(row + 1) * dimension].lazy.map(\.bitPattern)
                .elementsEqual(other.rescoreRows[theirRow * dimension..<(theirRow + 1) * dimension].lazy.map(\.bitPattern))
    }

    /// The row as FP32 from its FP16 copy (for cosine: the normalized vector, to FP16
    /// precision): what centroids are trained on and lists assigned by.
    func decoded(row: Int) -> [Float] {
        let scale = rescoreScales[row]
        var values = [Float](repeating: 0, count: dimension)
        rescoreRows.withUnsafeBufferPointer { rows in
            values.withUnsafeMutableBufferPointer { out in
                guard let first = rows.baseAddress, let target = out.baseAddress, dimension > 0 else { return }
                strata_f16_to_f32(UnsafeRawPointer(first + row * dimension).assumingMemoryBound(to: UInt16.self), target, dimension)
            }
        }
        for i in values.indices { values[i] *= scale }
        return values
    }
}
