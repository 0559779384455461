import StrataCore

/// The deduplicated part of a chunk: its text and its vector at FP16 (the persistent precision).
struct ChunkBody: Sendable, Equatable {
    var text: [UInt8]
    var vector: [Float16]?

    /// The vector widened back to Float.
    var floatVector: [Float]? { vector.map(HalfPrecision.widen) }

    var vectorBytes: Int { (vector?.count ?? 0) * 2 }
}
