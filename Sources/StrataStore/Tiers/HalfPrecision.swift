import CStrataSupport
import StrataCore

/// FP16 ↔ FP32 conversion of whole vectors through `strata_f16_to_f32` / `strata_f32_to_f16`
/// (F16C when the CPU has it, an exact scalar path otherwise).
///
/// Swift's `Float(Float16)` and `Float16(Float)` are calls into compiler-rt on x86-64 Linux
/// (`__extendhfsf2`, `__truncsfhf2`), one per component: reading chunk bodies for a query's
/// top-k and indexing ingested vectors spent most of their time there (perf). The results are
/// bit-identical to Swift's conversions for every non-NaN value (round to nearest even; HalfPrecisionTests).
public enum HalfPrecision {
    /// `halves` widened to Float (exact).
    public static func widen(_ halves: [Float16]) -> [Float] {
        halves.withUnsafeBytes { raw in widen(raw.baseAddress, count: halves.count) }
    }

    /// `count` FP16 bit patterns at `raw` (unaligned allowed) widened to Float.
    public static func widen(_ raw: UnsafeRawPointer?, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let raw, let out = buffer.baseAddress, count > 0 {
                // The C side reads with unaligned loads; the typed pointer is only for its signature.
                strata_f16_to_f32(raw.assumingMemoryBound(to: UInt16.self), out, count)
            }
            initialized = count
        }
    }

    /// `floats` rounded to FP16 (nearest even; beyond ±65504 gives ±Inf).
    public static func narrow(_ floats: [Float]) -> [Float16] {
        [Float16](unsafeUninitializedCapacity: floats.count) { buffer, initialized in
            floats.withUnsafeBufferPointer { source in
                if let src = source.baseAddress, let out = buffer.baseAddress, !floats.isEmpty {
                    UnsafeMutableRawPointer(out).withMemoryRebound(to: UInt16.self, capacity: floats.count) { bits in
                        strata_f32_to_f16(src, bits, floats.count)
                    }
                }
            }
            initialized = floats.count
        }
    }

    /// `floats` at FP16 precision, widened back: what the store keeps of a vector.
    public static func rounded(_ floats: [Float]) -> [Float] { widen(narrow(floats)) }

    /// Writes `floats` as FP16 bit patterns at `out` (2 bytes each).
    static func narrow(_ floats: [Float], into out: UnsafeMutableRawPointer) {
        floats.withUnsafeBufferPointer { source in
            guard let src = source.baseAddress, !floats.isEmpty else { return }
            strata_f32_to_f16(src, out.assumingMemoryBound(to: UInt16.self), floats.count)
        }
    }
}
