/// The two scoring kernels: the INT8 scan over every row and the FP16 rescoring of a few.
extension VectorStorage {
    /// Writes the approximate score of every row into `scores` (one per row).
    ///
    /// Each 32-byte block is loaded as `SIMD16<Int16>` and the INT8 lanes are sign-extended
    /// in place by shifts (`(v << 8) >> 8` for even bytes, `v >> 8` for odd ones) rather than
    /// with `SIMD32<Int16>(truncatingIfNeeded:)`: Swift's lane-type conversions are not
    /// lowered to vector instructions and measured 80× slower than this (see docs/search.md).
    /// Products fit Int16 (|x·y| ≤ 127², quantization never yields -128) and so does the sum of
    /// the even and odd products (≤ 32258); that sum is widened to Int32 the same way. Both
    /// rows and query are paired identically, so byte order does not matter. LLVM lowers this
    /// to `psllw/psraw/pmullw/paddw/pslld/psrad/paddd` (SSE2 baseline; AVX2 when the target
    /// CPU allows it).
    func scanInt8(_ query: PreparedVectorQuery, into scores: UnsafeMutableBufferPointer<Float>) {
        guard rowCount > 0, paddedDimension > 0 else { return }
        let blocks = paddedDimension / 32
        let stride = paddedDimension
        quantized.withUnsafeBufferPointer { rows in
            query.quantized.withUnsafeBufferPointer { q in
                scales.withUnsafeBufferPointer { scales in
                    let rowBase = UnsafeRawPointer(rows.baseAddress!)
                    let qBase = UnsafeRawPointer(q.baseAddress!)
                    for row in 0..<rowCount {
                        let base = rowBase + row * stride
                        var acc0 = SIMD8<Int32>.zero
                        var acc1 = SIMD8<Int32>.zero
                        var block = 0
                        // Two independent accumulators hide the add latency.
                        while block + 1 < blocks {
                            acc0 &+= Self.blockDot(base + block * 32, qBase + block * 32)
                            acc1 &+= Self.blockDot(base + (block + 1) * 32, qBase + (block + 1) * 32)
                            block += 2
                        }
                        if block < blocks {
                            acc0 &+= Self.blockDot(base + block * 32, qBase + block * 32)
                        }
                        let dot = (acc0 &+ acc1).wrappedSum()
                        scores[row] = Float(dot) * scales[row] * query.scale
                    }
                }
            }
        }
    }

    @inline(__always)
    static func blockDot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> SIMD8<Int32> {
        let x = a.loadUnaligned(as: SIMD16<Int16>.self)
        let y = b.loadUnaligned(as: SIMD16<Int16>.self)
        let even = ((x &<< 8) &>> 8) &* ((y &<< 8) &>> 8)
        let odd = (x &>> 8) &* (y &>> 8)
        let pairs = unsafeBitCast(even &+ odd, to: SIMD8<Int32>.self)
        return ((pairs &<< 16) &>> 16) &+ (pairs &>> 16)
    }

    /// The FP16-precision score of one row.
    ///
    /// Swift's `Float(Float16)` is a library call without `-target-cpu` allowing F16C, and
    /// `SIMD8<Float>(SIMD8<Float16>)` is not vectorized, which made rescoring the hybrid
    /// path's 400 candidates cost more than the whole INT8 scan. So 16 halves are loaded as
    /// `SIMD8<UInt32>` and widened by bit manipulation: a half's exponent and mantissa shifted
    /// left 13 bits are a float 2^112 too small (exact for normals and subnormals; rows never
    /// hold Inf/NaN), and the sign moves from bit 15 to bit 31. The low halves are the even
    /// components, the high halves the odd ones; the query is regrouped to match.
    func rescore(row: Int, _ query: PreparedVectorQuery) -> Float {
        let d = dimension
        let blocks = d / 16
        return rescoreRows.withUnsafeBufferPointer { rows in
            query.evenOdd.withUnsafeBufferPointer { q in
                guard let first = rows.baseAddress else { return 0 }
                let base = first + row * d
                let raw = UnsafeRawPointer(base)
                var acc = SIMD8<Float>.zero
                let magnitude = SIMD8<UInt32>(repeating: 0x7FFF)
                let sign = SIMD8<UInt32>(repeating: 0x8000)
                let rebias = SIMD8<Float>(repeating: 0x1p112)
                for b in 0..<blocks {
                    // blocks > 0 implies the regrouped query is not empty.
                    let qRaw = UnsafeRawPointer(q.baseAddress!)
                    let pairs = raw.loadUnaligned(fromByteOffset: b * 32, as: SIMD8<UInt32>.self)
                    let lowBits = ((pairs & magnitude) &<< 13) | ((pairs & sign) &<< 16)
                    let highBits = (((pairs &>> 16) & magnitude) &<< 13) | (pairs & (sign &<< 16))
                    // Scaling before the products keeps them out of the (slow, lossy) subnormal range.
                    let even = unsafeBitCast(lowBits, to: SIMD8<Float>.self) * rebias
                    let odd = unsafeBitCast(highBits, to: SIMD8<Float>.self) * rebias
                    let qEven = qRaw.loadUnaligned(fromByteOffset: b * 64, as: SIMD8<Float>.self)
                    let qOdd = qRaw.loadUnaligned(fromByteOffset: b * 64 + 32, as: SIMD8<Float>.self)
                    acc += even * qEven + odd * qOdd
                }
                var sum = acc.sum()
                for i in (blocks * 16)..<d {
                    sum += Float(base[i]) * query.exact[i]
                }
                return sum * rescoreScales[row]
            }
        }
    }
}
