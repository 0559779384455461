/// A shard whose vectors another index serves (a namespace's IVF lists): the rows dropped
/// from memory, and given back when the exact scan must serve again.
extension SearchShard {
    /// Whether the vector rows were dropped (`offloadVectors`).
    public var vectorsOffloaded: Bool { vectors.map { !$0.resident } ?? false }

    /// Bytes of vector rows held in memory.
    public var residentVectorBytes: Int { vectors?.residentBytes ?? 0 }

    /// The live chunks that have a vector.
    var liveRefsWithVectors: [ChunkRef] {
        guard let storage = vectors else { return [] }
        return refs.indices.filter { alive[$0] && storage.present[$0] }.map { refs[$0] }
    }

    /// Drops the vector rows, keeping which chunks have one; later upserts record presence only.
    mutating func offloadVectors() {
        vectors?.offload()
    }

    /// Gives the rows back: each live chunk with a vector gets `vector(ref)` (nil: recorded
    /// without one). Dead slots get none (they are never scanned).
    mutating func reloadVectors(_ vector: (ChunkRef) -> [Float]?) {
        guard let storage = vectors, !storage.resident else { return }
        vectors = storage.reloaded { row in alive[row] ? vector(refs[row]) : nil }
    }
}
