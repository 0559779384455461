import StrataCore

/// Encodes vectors into a tier's precision as raw bytes and decodes them back to `Float`.
///
/// Layouts (native little-endian, unaligned access allowed):
/// - fp32: `dimension` × 4-byte floats.
/// - fp16: `dimension` × 2-byte `Float16` bit patterns.
/// - int8: a 4-byte `Float` scale, then `dimension` × `Int8` (symmetric, `x ≈ value × scale`,
///   exactly `Int8Vector` from StrataCore).
enum TierVectorCodec {
    static func byteCount(dimension: Int, precision: VectorPrecision) -> Int {
        dimension * precision.bytesPerComponent + (precision == .int8 ? 4 : 0)
    }

    /// Writes `byteCount(dimension: vector.count, precision:)` bytes at `out`.
    static func encode(_ vector: [Float], precision: VectorPrecision, into out: UnsafeMutableRawPointer) {
        switch precision {
        case .float32:
            vector.withUnsafeBytes { raw in
                if let base = raw.baseAddress { out.copyMemory(from: base, byteCount: raw.count) }
            }
        case .float16:
            HalfPrecision.narrow(vector, into: out)
        case .int8:
            let quantized = Int8Vector(quantizing: vector)
            out.storeBytes(of: quantized.scale.bitPattern, as: UInt32.self)
            quantized.values.withUnsafeBytes { raw in
                if let base = raw.baseAddress { (out + 4).copyMemory(from: base, byteCount: raw.count) }
            }
        }
    }

    /// The encoded bytes as an array (for tiers that keep vectors in Swift arrays).
    static func encoded(_ vector: [Float], precision: VectorPrecision) -> [UInt8] {
        let count = byteCount(dimension: vector.count, precision: precision)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { encode(vector, precision: precision, into: UnsafeMutableRawPointer(base)) }
            initialized = count
        }
    }

    /// Decodes `dimension` components from `bytes`. Allocates only the returned array, which is
    /// what keeps a hot-tier read cheap.
    static func decode(_ bytes: UnsafeRawPointer, dimension: Int, precision: VectorPrecision) -> [Float] {
        switch precision {
        case .float32:
            return [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
                for i in 0..<dimension { buffer[i] = bytes.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
                initialized = dimension
            }
        case .float16:
            return HalfPrecision.widen(bytes, count: dimension)
        case .int8:
            return [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
                let scale = Float(bitPattern: bytes.loadUnaligned(as: UInt32.self))
                let values = (bytes + 4).assumingMemoryBound(to: Int8.self)
                for i in 0..<dimension { buffer[i] = Float(values[i]) * scale }
                initialized = dimension
            }
        }
    }
}
