import StrataCore

extension SearchShard {
    /// Replaces every chunk of `documentID` by `chunks` (an empty array deletes the document).
    ///
    /// Everything is validated before anything changes: on error the shard is untouched.
    public mutating func upsert(documentID: String, chunks: [IndexedChunk]) throws(StrataError) {
        guard !documentID.isEmpty else { throw .invalidArgument("documentID is empty") }
        var ordinals = Set<Int32>()
        for (i, chunk) in chunks.enumerated() {
            guard chunk.ref.documentID == documentID else {
                throw .invalidArgument(
                    "chunks[\(i)].ref.documentID is \"\(chunk.ref.documentID)\", expected \"\(documentID)\"")
            }
            guard ordinals.insert(chunk.ref.ordinal).inserted else {
                throw .invalidArgument("chunks[\(i)].ref.ordinal \(chunk.ref.ordinal) repeats within the document")
            }
            if let vector = chunk.vector {
                guard let dimension = settings.vectorDimension else {
                    throw .invalidArgument("chunks[\(i)].vector given but this namespace has no vector dimension")
                }
                try VectorValidation.validate(vector, dimension: dimension, field: "chunks[\(i)].vector")
            }
        }
        removeSlots(of: documentID)
        var slots: [Int32] = []
        slots.reserveCapacity(chunks.count)
        for chunk in chunks {
            let slot = lexical.append(terms: analyzer.terms(chunk.text))
            vectors?.append(chunk.vector)
            refs.append(chunk.ref)
            metadata.append(chunk.metadata)
            alive.append(true)
            slots.append(slot)
        }
        if !slots.isEmpty { slotsByDocument[documentID] = slots }
        compactIfNeeded()
    }

    /// Deletes every chunk of `documentID`. Returns how many chunks were removed.
    @discardableResult
    public mutating func remove(documentID: String) -> Int {
        let removed = removeSlots(of: documentID)
        compactIfNeeded()
        return removed
    }

    @discardableResult
    private mutating func removeSlots(of documentID: String) -> Int {
        guard let slots = slotsByDocument.removeValue(forKey: documentID) else { return 0 }
        for slot in slots {
            alive[Int(slot)] = false
            lexical.remove(slot: slot)
            // Drop the dictionary now; the slot's other arrays go at compaction.
            metadata[Int(slot)] = [:]
        }
        deadCount += slots.count
        return slots.count
    }

    private mutating func compactIfNeeded() {
        guard deadCount > 1024, Double(deadCount) > settings.compactionThreshold * Double(alive.count) else { return }
        compact()
    }

    /// Drops dead slots and renumbers the live ones densely, in order.
    public mutating func compact() {
        guard deadCount > 0 else { return }
        let keep = alive
        lexical = lexical.compacted(keeping: keep)
        vectors = vectors?.compacted(keeping: keep)
        var newRefs: [ChunkRef] = []
        var newMetadata: [[String: String]] = []
        newRefs.reserveCapacity(chunkCount)
        newMetadata.reserveCapacity(chunkCount)
        slotsByDocument.removeAll(keepingCapacity: true)
        for slot in 0..<keep.count where keep[slot] {
            let newSlot = Int32(newRefs.count)
            newRefs.append(refs[slot])
            newMetadata.append(metadata[slot])
            slotsByDocument[refs[slot].documentID, default: []].append(newSlot)
        }
        refs = newRefs
        metadata = newMetadata
        alive = [Bool](repeating: true, count: newRefs.count)
        deadCount = 0
    }
}
