extension SearchShard {
    /// Approximate bytes held by the indexes (array payloads and per-slot bookkeeping; not
    /// allocator overhead or the strings shared with the store), for tier accounting and the
    /// benchmark.
    public var approximateMemoryBytes: Int {
        var bytes = lexical.approximateMemoryBytes
        if let vectors {
            bytes += vectors.quantized.count + vectors.rescoreRows.count * 2
            bytes += vectors.scales.count * 4 + vectors.rescoreScales.count * 4 + vectors.present.count
        }
        bytes += refs.count * MemoryLayout<ChunkRef>.stride
        bytes += metadata.count * MemoryLayout<[String: String]>.stride + alive.count
        return bytes
    }
}
