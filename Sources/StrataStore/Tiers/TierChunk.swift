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

/// A vector as full floats (from the caller) or as one tier's encoding.
enum TierVector {
    case floats([Float])
    case encoded(precision: VectorPrecision, dimension: Int, bytes: [UInt8])

    var dimension: Int {
        switch self {
        case .floats(let values): values.count
        case .encoded(_, let dimension, _): dimension
        }
    }

    var floats: [Float] {
        switch self {
        case .floats(let values):
            return values
        case .encoded(let precision, let dimension, let bytes):
            return bytes.withUnsafeBytes { raw in
                TierVectorCodec.decode(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, dimension: dimension, precision: precision)
            }
        }
    }

    /// Writes the vector at `precision` into `out`: a copy when already encoded that way.
    func write(at precision: VectorPrecision, into out: UnsafeMutableRawPointer) {
        switch self {
        case .encoded(let from, _, let bytes) where from == precision:
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { out.copyMemory(from: base, byteCount: raw.count) }
            }
        case .floats(let values):
            TierVectorCodec.encode(values, precision: precision, into: out)
        case .encoded:
            TierVectorCodec.encode(floats, precision: precision, into: out)
        }
    }

    /// The encoding at `precision` as an array (for tiers that keep Swift arrays).
    func encoded(at precision: VectorPrecision) -> [UInt8] {
        if case .encoded(let from, _, let bytes) = self, from == precision { return bytes }
        let count = TierVectorCodec.byteCount(dimension: dimension, precision: precision)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { write(at: precision, into: UnsafeMutableRawPointer(base)) }
            initialized = count
        }
    }

    /// Reads an encoded vector of `dimension` components at `precision` from `bytes`.
    static func copy(from bytes: UnsafeRawPointer, dimension: Int, precision: VectorPrecision) -> TierVector {
        let count = TierVectorCodec.byteCount(dimension: dimension, precision: precision)
        let array = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 { UnsafeMutableRawPointer(base).copyMemory(from: bytes, byteCount: count) }
            initialized = count
        }
        return .encoded(precision: precision, dimension: dimension, bytes: array)
    }
}
