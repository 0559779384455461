import StrataCore

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
