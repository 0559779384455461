import StrataCore
/// Seeded synthetic stand-ins for embeddings (labelled as such in the bench's output).
/// Cluster centres; a chunk's vector is its document's centre plus noise, so chunks of one
/// document bunch together the way real embeddings of related text do.
struct ClusteredVectorSource {
    let dimension: Int
    let spread: Float
    let centres: [[Float]]

    init(dimension: Int, clusters: Int, spread: Float, rng: inout SplitMix64) {
        self.dimension = dimension
        self.spread = spread
        centres = (0..<clusters).map { _ in (0..<dimension).map { _ in rng.gaussian() } }
    }

    func vector(cluster: Int, rng: inout SplitMix64) -> [Float] {
        centres[cluster % centres.count].map { $0 + spread * rng.gaussian() }
    }
}
