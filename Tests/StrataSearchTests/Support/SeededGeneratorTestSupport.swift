/// SplitMix64: a small seeded generator so vector tests are reproducible.
struct SeededGeneratorTestSupport: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box-Muller).
    mutating func gaussian() -> Float {
        let u1 = Float.random(in: Float.ulpOfOne..<1, using: &self)
        let u2 = Float.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// `count` vectors around `clusters` random centres, the way embeddings of related texts bunch up.
    mutating func clusteredVectors(count: Int, dimension: Int, clusters: Int, spread: Float) -> [[Float]] {
        let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in gaussian() } }
        return (0..<count).map { i in
            centres[i % clusters].map { $0 + spread * gaussian() }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
