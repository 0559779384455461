import StrataCore

/// A slot shard as snapshot bytes: the compacted search shard, then per chunk what the worker
/// answers about it. The side tables (`byHash`, `withoutVector`) are derived on reading.
extension SlotSearchShard {
    func encode(into writer: inout SnapshotWriter) {
        var compacted = shard
        compacted.compact()
        compacted.encodeCompacted(into: &writer)
        var previous: (documentID: String, metadata: DocumentMetadata)?
        for ref in compacted.refs {
            let detail = details[ref]!
            writer.bool(detail.provenance.documentID != ref.documentID)
            if detail.provenance.documentID != ref.documentID { writer.string(detail.provenance.documentID) }
            writer.int(detail.provenance.byteStart)
            writer.int(detail.provenance.byteEnd)
            writer.int(detail.provenance.lineStart)
            writer.int(detail.provenance.lineEnd)
            writer.int(detail.tokenCount)
            // A document's chunks are adjacent and share its metadata: written once.
            let repeats = previous?.documentID == ref.documentID && previous?.metadata == detail.metadata
            writer.bool(repeats)
            if !repeats {
                writer.int(detail.metadata.pairs.count)
                for pair in detail.metadata.pairs {
                    writer.string(pair.key)
                    writer.string(pair.value)
                }
            }
            previous = (ref.documentID, detail.metadata)
        }
    }

    init(decoding reader: inout SnapshotReader, settings: SearchSettings) throws(StrataError) {
        try self.init(settings: settings)
        // The shard's filterable metadata is filled in from the details that follow it
        // (one dictionary per document, shared by its chunks, as a rebuild does).
        var decoded = try SearchShard(decoding: &reader, settings: settings)
        var previousMetadata = DocumentMetadata.empty
        var previousDictionary: [String: String] = [:]
        details.reserveCapacity(decoded.refs.count)
        byHash.reserveCapacity(decoded.refs.count)
        for (slot, ref) in decoded.refs.enumerated() {
            let documentID = try reader.bool() ? try reader.string() : ref.documentID
            let provenance = ChunkProvenance(documentID: documentID, byteStart: try reader.int(), byteEnd: try reader.int(),
                                             lineStart: try reader.int(), lineEnd: try reader.int())
            let tokenCount = try reader.int()
            if !(try reader.bool()) {
                let count = try reader.count(atMost: DocumentMetadata.maximumPairs, "the metadata pair count")
                var pairs: [DocumentMetadata.Pair] = []
                for _ in 0..<count { pairs.append(DocumentMetadata.Pair(key: try reader.string(), value: try reader.string())) }
                try reader.require(zip(pairs, pairs.dropFirst()).allSatisfy { DocumentMetadata.precedes($0.key, $1.key) },
                                   "metadata keys out of order")
                previousMetadata = DocumentMetadata(sortedUnique: pairs)
                previousDictionary = previousMetadata.dictionary
            }
            decoded.metadata[slot] = previousDictionary
            details[ref] = IndexedChunkDetail(provenance: provenance, tokenCount: tokenCount, metadata: previousMetadata)
            byHash[ref.contentHash, default: []].append(ref)
            if !(decoded.vectors?.present[slot] ?? false) {
                withoutVector[ref.documentID, default: []].append(ref)
                withoutVectorCount += 1
            }
        }
        try reader.require(details.count == decoded.refs.count, "a chunk reference repeats")
        shard = decoded
    }
}
