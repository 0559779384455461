import StrataCore

extension SplitMix64 {
    /// `count` vectors around `clusters` random centres, the way embeddings of related texts bunch up.
    mutating func clusteredVectors(count: Int, dimension: Int, clusters: Int, spread: Float) -> [[Float]] {
        let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in gaussian() } }
        return (0..<count).map { i in
            centres[i % clusters].map { $0 + spread * gaussian() }
        }
    }
}
