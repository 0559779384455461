#if canImport(Glibc)
import Glibc
#endif
import StrataCore
import Testing
@testable import StrataStore

/// The quantization bound: on random unit vectors, the mean cosine between a vector and
/// its round trip is at least 0.9995 for INT8 and 0.99999 for FP16.
@Suite("Quantization proof")
struct QuantizationProofTests {
    static func unitVectors(count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            // Gaussian components (Box-Muller) give directions uniform on the sphere.
            var v = (0..<dimension).map { _ -> Float in
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
                let u2 = Double.random(in: 0..<1, using: &rng)
                return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] /= norm }
            return v
        }
    }

    @Test("INT8 and FP16 round trips stay within the cosine bounds", arguments: [384, 1024])
    func cosineBounds(dimension: Int) {
        let vectors = Self.unitVectors(count: 1000, dimension: dimension, seed: 0x5EED_0000 + UInt64(dimension))
        var int8Sum = 0.0
        var int8Min = 1.0
        var fp16Sum = 0.0
        var fp16Min = 1.0
        for v in vectors {
            let int8 = TierFixtures.cosine(v, Int8Vector(quantizing: v).dequantized())
            let fp16 = TierFixtures.cosine(v, Float16Codec.decode(Float16Codec.encode(v)))
            int8Sum += int8
            int8Min = min(int8Min, int8)
            fp16Sum += fp16
            fp16Min = min(fp16Min, fp16)
        }
        let int8Mean = int8Sum / Double(vectors.count)
        let fp16Mean = fp16Sum / Double(vectors.count)
        print("quantization dim=\(dimension) n=\(vectors.count) seed=\(0x5EED_0000 + dimension): INT8 mean cosine \(int8Mean) (min \(int8Min)), FP16 mean cosine \(fp16Mean) (min \(fp16Min))")
        #expect(int8Mean >= 0.9995)
        #expect(fp16Mean >= 0.99999)
    }

    @Test("The tier codec decodes exactly what Int8Vector and Float16Codec reconstruct")
    func codecMatchesStrataCore() {
        for v in Self.unitVectors(count: 20, dimension: 384, seed: 7) {
            #expect(TierVectorCodec.encoded(v, precision: .int8).withUnsafeBytes {
                TierVectorCodec.decode($0.baseAddress!, dimension: v.count, precision: .int8)
            } == Int8Vector(quantizing: v).dequantized())
            #expect(TierVectorCodec.encoded(v, precision: .float16).withUnsafeBytes {
                TierVectorCodec.decode($0.baseAddress!, dimension: v.count, precision: .float16)
            } == Float16Codec.decode(Float16Codec.encode(v)))
            #expect(TierVectorCodec.encoded(v, precision: .float32).withUnsafeBytes {
                TierVectorCodec.decode($0.baseAddress!, dimension: v.count, precision: .float32)
            } == v)
        }
    }
}
