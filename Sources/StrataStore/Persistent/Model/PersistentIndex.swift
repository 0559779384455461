import StrataCore

/// The in-memory index of the persistent tier: documents, tombstones, per-slot sequence
/// numbers and the deduplicated chunk bodies with reference counts.
///
/// Pure logic, no I/O: the engine feeds it meta records (from segments, the WAL, or new
/// writes) and asks it where bodies live. Rebuilt on open from the segments' meta blocks and
/// the WAL, so it is never persisted by itself.
struct PersistentIndex: Sendable {
    private(set) var documents: [DocumentKey: DocumentState] = [:]
    private(set) var tombstones: [DocumentKey: Tombstone] = [:]
    private(set) var slotDocuments: [UInt32: Set<DocumentKey>] = [:]
    private(set) var slotSequences: [UInt32: UInt64] = [:]
    /// Bodies by cache key (namespace-mixed content hash). Entries with refCount 0 stay until
    /// compaction so that re-putting the same text does not rewrite it.
    private(set) var blobs: [ContentHash: BlobEntry] = [:]
    /// Vector dimension of each namespace, fixed by the first vector it stores.
    private(set) var namespaceDimensions: [String: Int] = [:]
    /// Tokens of all live document chunks (what the documents add up to, dedup not applied).
    private(set) var liveChunkCount = 0
    private(set) var liveTokens = 0

    func lastSequence(of slot: UInt32) -> UInt64 { slotSequences[slot] ?? 0 }

    /// Registers a body if it is new; an existing body keeps its location (dedup).
    mutating func registerBlob(_ entry: BlobEntry) {
        registerBlob(entry, key: entry.hash.cacheKeyIn(entry.namespace))
    }

    /// Same, with the cache key the caller already computed (it hashes the namespace).
    mutating func registerBlob(_ entry: BlobEntry, key: ContentHash) {
        if blobs[key] == nil { blobs[key] = entry }
        if entry.vectorDimension > 0, namespaceDimensions[entry.namespace] == nil {
            namespaceDimensions[entry.namespace] = entry.vectorDimension
        }
    }

    /// Moves a body to a new location (after a flush or a compaction rewrote it).
    mutating func relocate(_ cacheKey: ContentHash, to location: BlobLocation) {
        blobs[cacheKey]?.location = location
    }

    /// Forgets bodies nothing references (compaction did not copy them).
    mutating func dropUnreferencedBlobs() {
        blobs = blobs.filter { $0.value.refCount > 0 }
    }

    /// Applies one meta record. Every body a put references must be registered first.
    mutating func apply(_ record: MetaRecord) {
        switch record.operation {
        case .put(let key, let chunks, let metadata):
            removeDocument(key)
            let ns = ContentHash.of(key.namespace)
            for chunk in chunks { blobs[ContentHash.cacheKey(namespaceHash: ns, text: chunk.hash)]?.refCount += 1 }
            documents[key] = DocumentState(slot: record.slot, sequence: record.sequence, chunks: chunks, metadata: metadata)
            slotDocuments[record.slot, default: []].insert(key)
            tombstones[key] = nil
            liveChunkCount += chunks.count
            liveTokens += chunks.reduce(0) { $0 + $1.tokenCount }
        case .delete(let key):
            removeDocument(key)
            tombstones[key] = Tombstone(slot: record.slot, sequence: record.sequence)
        case .drop(let namespace):
            let keys = (slotDocuments[record.slot] ?? []).filter { $0.namespace == namespace }
            for key in keys {
                removeDocument(key)
                tombstones[key] = Tombstone(slot: record.slot, sequence: record.sequence)
            }
        }
        slotSequences[record.slot] = max(slotSequences[record.slot] ?? 0, record.sequence)
    }

    /// Raises a slot's sequence number (a snapshot's record of it, which may be above every
    /// document's own sequence when the last operation changed nothing).
    mutating func raiseSequence(of slot: UInt32, to sequence: UInt64) {
        slotSequences[slot] = max(slotSequences[slot] ?? 0, sequence)
    }

    private mutating func removeDocument(_ key: DocumentKey) {
        guard let old = documents.removeValue(forKey: key) else { return }
        slotDocuments[old.slot]?.remove(key)
        let ns = ContentHash.of(key.namespace)
        for chunk in old.chunks { blobs[ContentHash.cacheKey(namespaceHash: ns, text: chunk.hash)]?.refCount -= 1 }
        liveChunkCount -= old.chunks.count
        liveTokens -= old.chunks.reduce(0) { $0 + $1.tokenCount }
    }

    /// The whole live state as meta records: puts of live documents, deletes for tombstones,
    /// ordered by sequence so that replay gives the same state. Written by compaction.
    func snapshotRecords() -> [MetaRecord] {
        var records: [MetaRecord] = []
        records.reserveCapacity(documents.count + tombstones.count)
        for (key, doc) in documents {
            records.append(MetaRecord(slot: doc.slot, sequence: doc.sequence, operation: .put(key, doc.chunks, doc.metadata)))
        }
        for (key, tomb) in tombstones {
            records.append(MetaRecord(slot: tomb.slot, sequence: tomb.sequence, operation: .delete(key)))
        }
        records.sort { ($0.slot, $0.sequence) < ($1.slot, $1.sequence) }
        return records
    }
}

extension ContentHash {
    /// Shorthand for the namespace-mixed cache key of a text hash.
    func cacheKeyIn(_ namespace: String) -> ContentHash { ContentHash.cacheKey(namespace: namespace, text: self) }
}

extension PersistentIndex {
    /// Forgets these bodies (unreferenced memtable bodies a flush did not write).
    mutating func removeBlobs(_ keys: [ContentHash]) {
        for key in keys where blobs[key]?.refCount == 0 { blobs[key] = nil }
    }

    /// Forgets these bodies whatever their count (compaction found them nowhere readable).
    mutating func forgetBlobs(_ keys: [ContentHash]) {
        for key in keys { blobs[key] = nil }
    }
}
