import StrataCore

/// The vector rows as snapshot bytes: the INT8 and FP16 arrays copied whole (empty when
/// offloaded: the caller writes which it is, see `SearchShard.encodeCompacted`).
extension VectorStorage {
    func encode(into writer: inout SnapshotWriter) {
        writer.int(dimension)
        writer.array(quantized)
        writer.array(scales)
        writer.array(rescoreRows)
        writer.array(rescoreScales)
        writer.array(present.map { $0 ? UInt8(1) : 0 })
    }

    init(decoding reader: inout SnapshotReader, dimension: Int, metric: VectorMetric, resident: Bool) throws(StrataError) {
        self.init(dimension: dimension, metric: metric)
        if !resident { offload() }
        try reader.require(try reader.int() == dimension, "the vectors' dimension is not the namespace's \(dimension)")
        quantized = try reader.array()
        scales = try reader.array()
        rescoreRows = try reader.array()
        rescoreScales = try reader.array()
        present = try reader.array(of: UInt8.self).map { $0 != 0 }
        let rows = resident ? present.count : 0
        try reader.require(quantized.count == rows * paddedDimension && rescoreRows.count == rows * dimension
                           && scales.count == rows && rescoreScales.count == rows, "vector arrays disagree with \(rows) rows")
    }
}
