import CStrataSupport
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
    /// `strata_dot_f16` (C) converts with F16C (`vcvtph2ps`) where the CPU has it: Swift's
    /// `Float(Float16)` is a compiler-rt call per component on x86-64 Linux, and the bit
    /// manipulation that replaced it still made rescoring the largest cost of a hybrid query
    /// (a worker rescores 40 candidates per slot shard; perf). The C kernel fixes the order of
    /// its float operations, so the scalar fallback returns the same bits.
    func rescore(row: Int, _ query: PreparedVectorQuery) -> Float {
        let d = dimension
        return rescoreRows.withUnsafeBufferPointer { rows in
            query.exact.withUnsafeBufferPointer { q in
                guard let first = rows.baseAddress, let values = q.baseAddress, d > 0 else { return 0 }
                let halves = UnsafeRawPointer(first + row * d).assumingMemoryBound(to: UInt16.self)
                return strata_dot_f16(halves, values, d) * rescoreScales[row]
            }
        }
    }
}
