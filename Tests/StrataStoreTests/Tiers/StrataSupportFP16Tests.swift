import CStrataSupport
import Testing
@testable import StrataStore

/// The C FP16 helpers: the F16C path (when this CPU has it) and the scalar path agree bit for
/// bit, and both agree with Swift's own `Float16` conversions.
@Suite("CStrataSupport FP16 conversion and dot product")
struct StrataSupportFP16Tests {
    static func bits(_ f: Float) -> UInt32 { f.bitPattern }

    @Test("Every half widens to the same float on both paths and as Swift's Float(Float16)")
    func widenEveryHalf() {
        let halves = (0...UInt16.max).map { $0 }
        var hardware = [Float](repeating: 0, count: halves.count)
        var software = [Float](repeating: 0, count: halves.count)
        strata_f16_to_f32(halves, &hardware, halves.count)
        strata_f16_to_f32_software(halves, &software, halves.count)
        var mismatches = 0
        for (i, h) in halves.enumerated() {
            if hardware[i].bitPattern != software[i].bitPattern { mismatches += 1 }
            let swift = Float(Float16(bitPattern: h))
            if swift.isNaN { if !software[i].isNaN { mismatches += 1 } } else if swift.bitPattern != software[i].bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // Subnormals, infinities and NaN specifically.
        #expect(software[0x0001] == Float(Float16.leastNonzeroMagnitude))
        #expect(software[0x7C00] == .infinity && software[0xFC00] == -.infinity)
        #expect(software[0x7E00].isNaN && software[0x7D00].isNaN)
    }

    @Test("Random floats (normal, subnormal-range, huge, Inf, NaN) narrow alike on both paths and as Float16(Float)")
    func narrowRandomFloats() {
        var rng = SeededGenerator(seed: 7)
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, 65504, 65519.99, 65520, -65520, 1e-8, 2.98e-8, 2.9802322e-8, 5.96e-8,
                               Float(Float16.leastNormalMagnitude), Float(Float16.leastNonzeroMagnitude) / 2, .leastNonzeroMagnitude]
        for i in 0..<200_000 {
            var pattern = UInt32.random(in: 0...UInt32.max, using: &rng)
            // Two thirds in or near the FP16 range (exponents 100...144), the rest anywhere.
            if i % 3 != 0 { pattern = (pattern & 0x807F_FFFF) | (UInt32.random(in: 100...144, using: &rng) << 23) }
            values.append(Float(bitPattern: pattern))
        }
        var hardware = [UInt16](repeating: 0, count: values.count)
        var software = [UInt16](repeating: 0, count: values.count)
        strata_f32_to_f16(values, &hardware, values.count)
        strata_f32_to_f16_software(values, &software, values.count)
        #expect(hardware == software)
        var mismatches = 0
        for (i, v) in values.enumerated() where !v.isNaN {
            if Float16(v).bitPattern != software[i] { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(Float16(bitPattern: software[4]).isNaN)
        // The Swift wrappers round-trip through the same paths.
        let finite = values.filter(\.isFinite).prefix(1000).map { $0 }
        #expect(HalfPrecision.narrow(finite).map(\.bitPattern) == finite.map { Float16($0).bitPattern })
        #expect(HalfPrecision.rounded(finite).map(\.bitPattern) == finite.map { Float(Float16($0)).bitPattern })
    }

    @Test("The FP16 dot product is the same bits on both paths, for every length's tail, and close to the exact sum")
    func dotProduct() {
        var rng = SeededGenerator(seed: 11)
        for count in [0, 1, 7, 8, 9, 31, 32, 33, 100, 384, 385, 1024] {
            let values = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
            let halves = (0..<count).map { _ in Float16(Float.random(in: -1...1, using: &rng)).bitPattern }
            let hardware = strata_dot_f16(halves, values, count)
            let software = strata_dot_f16_software(halves, values, count)
            #expect(hardware.bitPattern == software.bitPattern, "count \(count)")
            var exact: Double = 0
            for i in 0..<count { exact += Double(Float(Float16(bitPattern: halves[i]))) * Double(values[i]) }
            #expect(abs(Double(software) - exact) <= 1e-4 * max(1, Double(count)), "count \(count)")
        }
        // Subnormal halves and a NaN propagate the same way on both paths.
        let halves: [UInt16] = [0x0001, 0x03FF, 0x8200, 0x7C00] + [UInt16](repeating: 0x3C00, count: 12)
        let values = [Float](repeating: 0.5, count: 16)
        #expect(strata_dot_f16(halves, values, 16).bitPattern == strata_dot_f16_software(halves, values, 16).bitPattern)
        let nan: [UInt16] = [0x7E00] + [UInt16](repeating: 0x3C00, count: 8)
        #expect(strata_dot_f16(nan, values, 9).isNaN && strata_dot_f16_software(nan, values, 9).isNaN)
    }
}

/// The C INT8 scan: the AVX2 path (when this CPU has it) and the portable path agree bit for
/// bit, including the extreme values ±127 and strides that are not a multiple of 32.
@Suite("CStrataSupport INT8 scan")
struct StrataSupportInt8ScanTests {
    @Test("AVX2 and portable scans return the same scores, equal to the exact integer dot product scaled")
    func pathsAgree() {
        var rng = SeededGenerator(seed: 23)
        for (stride, rowCount) in [(32, 1), (64, 7), (96, 3), (384, 50), (416, 9), (37, 4), (1024, 2)] {
            let extreme = stride == 384
            let rows = (0..<(stride * rowCount)).map { i in extreme && i % 3 == 0 ? Int8(i % 2 == 0 ? 127 : -127) : Int8.random(in: -127...127, using: &rng) }
            let query = (0..<stride).map { i in extreme ? Int8(i % 2 == 0 ? -127 : 127) : Int8.random(in: -127...127, using: &rng) }
            let scales = (0..<rowCount).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
            var fast = [Float](repeating: 0, count: rowCount)
            var portable = [Float](repeating: 0, count: rowCount)
            strata_int8_scan(rows, rowCount, stride, query, scales, 0.0123, &fast)
            strata_int8_scan_software(rows, rowCount, stride, query, scales, 0.0123, &portable)
            #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern), "stride \(stride)")
            for r in 0..<rowCount {
                var dot = 0
                for i in 0..<stride { dot += Int(rows[r * stride + i]) * Int(query[i]) }
                #expect(portable[r].bitPattern == (Float(dot) * scales[r] * 0.0123).bitPattern)
            }
        }
    }
}
