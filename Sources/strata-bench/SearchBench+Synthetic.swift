/// Seeded synthetic data for `strata-bench search`: clustered 384-dim vectors standing in for
/// embeddings (clearly labelled as such in the output).
struct BenchRandom: RandomNumberGenerator {
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
        return (-2 * Float.log(u1)).squareRoot() * Float.cos(2 * .pi * u2)
    }
}

extension Float {
    static func log(_ x: Float) -> Float { Float(Foundation.log(Double(x))) }
    static func cos(_ x: Float) -> Float { Float(Foundation.cos(Double(x))) }
}

/// Cluster centres; a chunk's vector is its document's centre plus noise, so chunks of one
/// document bunch together the way real embeddings of related text do.
struct ClusteredVectorSource {
    let dimension: Int
    let spread: Float
    let centres: [[Float]]

    init(dimension: Int, clusters: Int, spread: Float, rng: inout BenchRandom) {
        self.dimension = dimension
        self.spread = spread
        centres = (0..<clusters).map { _ in (0..<dimension).map { _ in rng.gaussian() } }
    }

    func vector(cluster: Int, rng: inout BenchRandom) -> [Float] {
        centres[cluster % centres.count].map { $0 + spread * rng.gaussian() }
    }
}

import Foundation
