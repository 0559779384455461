import StrataCore

/// A chunk on its way between tiers. The vector keeps the encoded form of the tier it came
/// from, so that moving it to a tier of the same precision is a byte copy: no decode, no
/// re-quantization, and no drift from quantizing an already quantized vector again.
struct TierChunk {
    var key: ContentHash
    var text: String
    var tokenCount: Int
    var vector: TierVector?

    init(key: ContentHash, text: String, tokenCount: Int, vector: TierVector?) {
        self.key = key
        self.text = text
        self.tokenCount = tokenCount
        self.vector = vector
    }

    init(_ chunk: CachedChunk) {
        self.init(key: chunk.key, text: chunk.text, tokenCount: chunk.tokenCount, vector: chunk.vector.map(TierVector.floats))
    }

    /// The caller's view: the vector decoded to `Float`.
    var cached: CachedChunk {
        CachedChunk(key: key, text: text, tokenCount: tokenCount, vector: vector?.floats)
    }

    var textBytes: Int { text.utf8.count }

    /// Bytes counted against a tier of `precision` (see `TierEntrySize`).
    func entryBytes(at precision: VectorPrecision) -> Int {
        TierEntrySize.bytes(textBytes: textBytes, dimension: vector?.dimension, precision: precision)
    }

    /// Bytes of the vector at `precision`; 0 without a vector.
    func vectorBytes(at precision: VectorPrecision) -> Int {
        vector.map { TierVectorCodec.byteCount(dimension: $0.dimension, precision: precision) } ?? 0
    }
}
