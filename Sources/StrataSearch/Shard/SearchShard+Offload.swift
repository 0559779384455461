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

    /// Takes the rows `copy` (this shard as it was, reloaded) holds, when this shard still
    /// begins with the same chunks: the rows appended since get `vector(ref)` here. False (and
    /// nothing changed) when its earlier rows differ.
    mutating func adoptReloadedVectors(of copy: SearchShard, _ vector: (ChunkRef) -> [Float]?) -> Bool {
        guard var storage = copy.vectors, storage.resident, let current = vectors, !current.resident,
              copy.refs.count <= refs.count, refs[..<copy.refs.count].elementsEqual(copy.refs) else { return false }
        for row in copy.refs.count..<refs.count {
            storage.append(alive[row] && current.present[row] ? vector(refs[row]) : nil)
        }
        vectors = storage
        return true
    }
}
