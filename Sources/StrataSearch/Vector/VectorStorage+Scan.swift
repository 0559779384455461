/// The two scoring kernels: the INT8 scan over every row and the FP16 rescoring of a few.
extension VectorStorage {
    /// Writes the approximate score of every row into `scores` (one per row).
    ///
    /// Per 32 components: widen both `SIMD32<Int8>` to Int16, multiply (|product| ≤ 127² fits
    /// Int16 because quantization never yields -128), add the two halves in Int16 (≤ 2·127²
    /// = 32258 still fits), then widen once to Int32 and accumulate. LLVM lowers this to
    /// AVX2 `vpmovsxbw`/`vpmullw`/`vpaddw`/`vpmovsxwd`/`vpaddd` on this machine.
    func scanInt8(_ query: PreparedVectorQuery, into scores: UnsafeMutableBufferPointer<Float>) {
        let blocks = paddedDimension / 32
        let stride = paddedDimension
        quantized.withUnsafeBufferPointer { rows in
            query.quantized.withUnsafeBufferPointer { q in
                scales.withUnsafeBufferPointer { scales in
                    let rowBase = UnsafeRawPointer(rows.baseAddress!)
                    let qBase = UnsafeRawPointer(q.baseAddress!)
                    for row in 0..<rowCount {
                        let base = rowBase + row * stride
                        var acc0 = SIMD16<Int32>.zero
                        var acc1 = SIMD16<Int32>.zero
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
    static func blockDot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> SIMD16<Int32> {
        let x = SIMD32<Int16>(truncatingIfNeeded: a.loadUnaligned(as: SIMD32<Int8>.self))
        let y = SIMD32<Int16>(truncatingIfNeeded: b.loadUnaligned(as: SIMD32<Int8>.self))
        let p = x &* y
        return SIMD16<Int32>(truncatingIfNeeded: p.lowHalf &+ p.highHalf)
    }

    /// The FP16-precision score of one row (F16C converts 8 components at a time).
    func rescore(row: Int, _ query: PreparedVectorQuery) -> Float {
        let d = dimension
        return rescoreRows.withUnsafeBufferPointer { rows in
            query.exact.withUnsafeBufferPointer { q in
                let base = rows.baseAddress! + row * d
                var acc = SIMD8<Float>.zero
                var i = 0
                while i + 8 <= d {
                    let h = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float16>.self)
                    let f = SIMD8<Float>(h)
                    let qv = UnsafeRawPointer(q.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                    acc += f * qv
                    i += 8
                }
                var sum = acc.sum()
                while i < d {
                    sum += Float(base[i]) * q[i]
                    i += 1
                }
                return sum * rescoreScales[row]
            }
        }
    }
}
