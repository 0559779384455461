import StrataCore

/// A shard as snapshot bytes, so a restarted worker reads its index back instead of analysing
/// every chunk again. Only compacted shards are written (no dead slots), so the slot arrays
/// are the live chunks in order.
extension SearchShard {
    /// Writes the shard's references, lexical index and vectors. Metadata is not written: it
    /// is the document's, which `SlotSearchShard` writes once per chunk with the details.
    func encodeCompacted(into writer: inout SnapshotWriter) {
        precondition(deadCount == 0, "only a compacted shard is written")
        writer.int(refs.count)
        for ref in refs {
            writer.string(ref.documentID)
            writer.u32(UInt32(bitPattern: ref.ordinal))
            writer.u64(ref.contentHash.high)
            writer.u64(ref.contentHash.low)
        }
        lexical.encode(into: &writer)
        // 0: no vectors, 1: rows held, 2: offloaded (presence only; the IVF lists hold the rows).
        writer.u8(vectors == nil ? 0 : (vectors!.resident ? 1 : 2))
        vectors?.encode(into: &writer)
    }

    /// A shard read back, its metadata empty (the caller fills it in from the details). The
    /// shape is checked: every per-slot array agrees in length.
    init(decoding reader: inout SnapshotReader, settings: SearchSettings) throws(StrataError) {
        try self.init(settings: settings)
        let count = try reader.count(atMost: Int(Int32.max), "the chunk count")
        refs.reserveCapacity(count)
        slotsByDocument.reserveCapacity(count)
        for slot in 0..<count {
            let documentID = try reader.string()
            let ordinal = Int32(bitPattern: try reader.u32())
            let hash = ContentHash(high: try reader.u64(), low: try reader.u64())
            let ref = ChunkRef(documentID: documentID, ordinal: ordinal, contentHash: hash)
            refs.append(ref)
            slotsByDocument[documentID, default: []].append(Int32(slot))
        }
        alive = [Bool](repeating: true, count: count)
        metadata = [[String: String]](repeating: [:], count: count)
        lexical = try InvertedIndex(decoding: &reader)
        try reader.require(lexical.slotCount == count, "the lexical index has \(lexical.slotCount) slots, not \(count)")
        let vectorKind = try reader.u8()
        try reader.require(vectorKind <= 2, "unknown vector storage kind \(vectorKind)")
        try reader.require((vectorKind != 0) == (settings.vectorDimension != nil), "vectors present without a dimension, or missing")
        if vectorKind != 0, let dimension = settings.vectorDimension {
            let storage = try VectorStorage(decoding: &reader, dimension: dimension, metric: settings.metric, resident: vectorKind == 1)
            try reader.require(storage.rowCount == count, "the vectors have \(storage.rowCount) rows, not \(count)")
            vectors = storage
        }
    }
}
