import StrataCore

extension ClusterBench {
    /// SYNTHETIC stand-ins for embeddings, labelled as such in the output: the cluster has no
    /// embedding model (clients embed), and a real one embeds about 12 chunks/s on these CPUs.
    ///
    /// As in `strata-bench search` (`ClusteredVectorSource`, the same 256 seeded centres and
    /// spread 0.5): a document belongs to one cluster; each chunk's vector is the centre plus
    /// noise, so a document's chunks bunch together the way embeddings of related text do. The
    /// noise comes from a fixed seeded table instead of fresh Gaussian samples per chunk, so
    /// the ingest loop pays a few hundred additions per chunk, not ~800 log/cos calls.
    /// A query's vector is drawn the same way from the cluster of the document its text came
    /// from, so text and vector point at the same part of the corpus.
    struct SyntheticVectors: Sendable {
        let dimension: Int
        let source: ClusteredVectorSource
        let noise: [[Float]]

        init(dimension: Int) {
            self.dimension = dimension
            var rng = SplitMix64(seed: 2026)
            source = ClusteredVectorSource(dimension: dimension, clusters: 256, spread: 0.5, rng: &rng)
            noise = (0..<1024).map { _ in (0..<dimension).map { _ in rng.gaussian() } }
        }

        /// The cluster of document `index` (a fixed hash, so every run places it the same).
        func cluster(ofDocument index: Int) -> Int { Int(Self.mix(UInt64(index)) % UInt64(source.centres.count)) }

        /// The vector of chunk `ordinal` of document `document`.
        func chunkVector(document: Int, ordinal: Int) -> [Float] {
            vector(cluster: cluster(ofDocument: document), salt: Self.mix(UInt64(document) << 20 | UInt64(ordinal)))
        }

        /// The vector of query `index`, near the chunks of `document`.
        func queryVector(document: Int, index: Int) -> [Float] {
            vector(cluster: cluster(ofDocument: document), salt: Self.mix(UInt64(index) ^ 0xDEAD_BEEF))
        }

        private func vector(cluster: Int, salt: UInt64) -> [Float] {
            let centre = source.centres[cluster]
            let noise = self.noise[Int(salt % UInt64(self.noise.count))]
            let spread = source.spread
            return (0..<dimension).map { centre[$0] + spread * noise[$0] }
        }

        static func mix(_ x: UInt64) -> UInt64 {
            var rng = SplitMix64(seed: x)
            return rng.next()
        }
    }
}
