import CStrataSupport
/// The two scoring kernels: the INT8 scan over every row and the FP16 rescoring of a few.
extension VectorStorage {
    /// Writes the approximate score of every row into `scores` (one per row).
    ///
    /// `strata_int8_scan` (C) uses AVX2 (`vpmaddubsw`/`vpmaddwd`) where the CPU has it, a
    /// portable loop otherwise. The Swift SIMD kernel this replaces was compiled for the SSE2
    /// baseline (the binary must start on any x86-64) and measured 6.5x slower than the AVX2
    /// path on a 30K-row scan. The integer dot product is exact on both paths and the score is
    /// `Float(dot) * scale * queryScale` as before, so rankings are unchanged to the bit.
    func scanInt8(_ query: PreparedVectorQuery, into scores: UnsafeMutableBufferPointer<Float>) {
        guard rowCount > 0, paddedDimension > 0 else { return }
        quantized.withUnsafeBufferPointer { rows in
            query.quantized.withUnsafeBufferPointer { q in
                scales.withUnsafeBufferPointer { scales in
                    strata_int8_scan(rows.baseAddress!, rowCount, paddedDimension, q.baseAddress!, scales.baseAddress!,
                                     query.scale, scores.baseAddress!)
                }
            }
        }
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
