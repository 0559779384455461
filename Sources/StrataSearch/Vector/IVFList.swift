import StrataCore

/// One partition of an `IVFIndex`: the vectors nearest one centroid, with the caller's ids,
/// in the exact scan's two layouts (`VectorStorage`: INT8 rows for the scan, FP16 for
/// rescoring). A list is what the partition cache holds and what lies in one file on disk.
///
/// Removal leaves a tombstone (`present` false) that the scan skips; `compacted()` drops them.
public struct IVFList: Sendable {
    public internal(set) var ids: [UInt64] = []
    var vectors: VectorStorage
    public internal(set) var deadCount = 0

    init(dimension: Int, metric: VectorMetric) {
        vectors = VectorStorage(dimension: dimension, metric: metric)
    }

    public var liveCount: Int { ids.count - deadCount }

    /// Bytes the list holds in memory (its arrays' payloads): what the cache's budget counts.
    public var byteCount: Int {
        vectors.quantized.count + vectors.scales.count * 4 + vectors.rescoreRows.count * 2
            + vectors.rescoreScales.count * 4 + vectors.present.count + ids.count * 8
    }

    /// Appends `vector` (validated) under `id`; returns its row.
    mutating func append(id: UInt64, vector: [Float]) -> Int {
        ids.append(id)
        vectors.append(vector)
        return ids.count - 1
    }

    mutating func remove(row: Int) {
        guard vectors.present[row] else { return }
        vectors.present[row] = false
        deadCount += 1
    }

    /// True when tombstones are over half the rows (and worth a rewrite).
    var needsCompaction: Bool { deadCount > 32 && deadCount * 2 > ids.count }

    /// The list without its tombstones, rows in order.
    func compacted() -> IVFList {
        var result = self
        result.vectors = vectors.compacted(keeping: vectors.present)
        result.ids = zip(ids, vectors.present).filter { $0.1 }.map { $0.0 }
        result.deadCount = 0
        return result
    }
}
