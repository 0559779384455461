import StrataCore

/// How many bytes one entry counts against a tier's byte capacity.
///
/// `bytes = UTF-8 text bytes + vector bytes at the tier's precision (+ 4 for the INT8 scale)
///  + overhead`, with a fixed `overhead` of 64 bytes for every entry in every tier. The overhead
/// stands for the per-entry bookkeeping (the warm tier's 48-byte slot header, index and
/// recency links), so a tier full of tiny chunks cannot claim to hold unbounded entries. The
/// same formula in all tiers keeps capacities comparable in the status output; physical
/// rounding (the warm tier's slab classes) is deliberately not counted, it is bounded
/// separately by the slab region's fixed size.
enum TierEntrySize {
    /// Fixed bookkeeping cost counted for every entry.
    static let overhead = 64

    static func bytes(textBytes: Int, dimension: Int?, precision: VectorPrecision) -> Int {
        textBytes + overhead + (dimension.map { TierVectorCodec.byteCount(dimension: $0, precision: precision) } ?? 0)
    }

    static func bytes(of chunk: CachedChunk, precision: VectorPrecision) -> Int {
        bytes(textBytes: chunk.text.utf8.count, dimension: chunk.vector?.count, precision: precision)
    }
}
