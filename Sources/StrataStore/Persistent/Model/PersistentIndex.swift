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
    /// Each slot's `SlotDigest` (slots with no live document have none: digest 0).
    private(set) var slotDigests: [UInt32: UInt64] = [:]
    /// Bodies by cache key (namespace-mixed content hash). Entries with refCount 0 stay until
    /// compaction so that re-putting the same text does not rewrite it.
    private(set) var blobs = ContentHashTable<BlobEntry>()
    /// Vector dimension of each namespace, fixed by the first vector it stores.
    private(set) var namespaceDimensions: [String: Int] = [:]
    /// Tokens of all live document chunks (what the documents add up to, dedup not applied).
    private(set) var liveChunkCount = 0
    private(set) var liveTokens = 0
    /// The bodies with refCount > 0, counted as their counts change (see `LiveBlobTotals`).
    private(set) var liveBlobs = LiveBlobTotals()

    func lastSequence(of slot: UInt32) -> UInt64 { slotSequences[slot] ?? 0 }

    /// Registers a body if it is new; an existing body keeps its location (dedup), unless it
    /// has no vector and this one has: then this one replaces it (see `upgradesBody`).
    mutating func registerBlob(_ entry: BlobEntry) {
        registerBlob(entry, key: entry.hash.cacheKeyIn(entry.namespace))
    }

    /// Same, with the cache key the caller already computed (it hashes the namespace).
    mutating func registerBlob(_ entry: BlobEntry, key: ContentHash) {
        if blobs.insertIfAbsent(key, { entry }) {
            if entry.refCount > 0 { liveBlobs.count(entry, sign: 1) }
        } else if entry.vectorDimension > 0, blobs[key]?.vectorDimension == 0 {
            blobs[key]!.vectorDimension = entry.vectorDimension
            blobs[key]!.location = entry.location
        }
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
        blobs.removeAll { _, entry in entry.refCount <= 0 }
    }

    /// Applies one meta record. Every body a put references must be registered first.
    mutating func apply(_ record: MetaRecord) {
        switch record.operation {
        case .put(let key, let chunks, let metadata):
            removeDocument(key)
            let ns = ContentHash.of(key.namespace)
            var live = liveBlobs
            for chunk in chunks { blobs[ContentHash.cacheKey(namespaceHash: ns, text: chunk.hash)]?.addReferences(1, live: &live) }
            liveBlobs = live
            insertDocument(key, DocumentState(slot: record.slot, sequence: record.sequence, chunks: chunks, metadata: metadata),
                           tokens: chunks.reduce(0) { $0 + $1.tokenCount })
        case .delete(let key):
            removeDocument(key)
            tombstones[key] = Tombstone(slot: record.slot, sequence: record.sequence)
        case .drop(let namespace):
            let keys = (slotDocuments[record.slot] ?? []).filter { $0.namespace == namespace }
            for key in keys {
                removeDocument(key)
                tombstones[key] = Tombstone(slot: record.slot, sequence: record.sequence)
            }
        case .forgetSlot:
            forgetSlot(record.slot)
            return
        }
        slotSequences[record.slot] = max(slotSequences[record.slot] ?? 0, record.sequence)
    }

    /// Removes every document and tombstone of `slot` and its sequence, as if the store had
    /// never held it. Bodies only this slot referenced drop to refCount 0 (compaction
    /// removes them from disk).
    private mutating func forgetSlot(_ slot: UInt32) {
        for key in slotDocuments[slot] ?? [] { removeDocument(key) }
        slotDocuments[slot] = nil
        slotDigests[slot] = nil
        tombstones = tombstones.filter { $0.value.slot != slot }
        slotSequences[slot] = nil
    }

    /// Applies a new put from the write path: the same result as registering each body that is
    /// new and then `apply(.put)`, but with one probe of `blobs` per chunk instead of three
    /// (lookup, insert, reference-count increment). `memtable` receives every body the index
    /// did not hold, and every body that gives a held one its vector.
    /// Recovery keeps using `registerBlob` + `apply`.
    ///
    /// Bodies are deduplicated by text, and a vector is a function of the text under the
    /// namespace's one model, so a body stored without a vector takes the vector of a later
    /// put of the same text (`upgradesBody`): that is how the server-side embedder's vectors
    /// (`AttachVectors`, applied as a put) and a slot copy of embedded chunks reach a store
    /// that holds the text already. A body never loses its vector, and one with a vector is
    /// never replaced: the first vector stored for a text stays.
    mutating func applyPut(slot: UInt32, sequence: UInt64, put: RecordCoding.PreparedPut,
                           memtable: inout ContentHashTable<ChunkBody>) {
        let key = put.key
        removeDocument(key)
        let ns = ContentHash.of(key.namespace)
        var tokens = 0
        // Counted in a local: the closures below run while `blobs` (part of self) is being mutated.
        var live = liveBlobs
        defer { liveBlobs = live }
        for (chunk, body) in zip(put.chunks, put.bodies) {
            let cacheKey = ContentHash.cacheKey(namespaceHash: ns, text: chunk.hash)
            tokens += chunk.tokenCount
            var upgraded = false
            let inserted = blobs.upsert(cacheKey, insert: {
                BlobEntry(namespace: key.namespace, hash: chunk.hash, tokenCount: chunk.tokenCount, textBytes: body.text.count,
                          vectorDimension: body.vector?.count ?? 0, refCount: 1, location: .memtable)
            }, update: { entry in
                entry.addReferences(1, live: &live)
                if Self.upgradesBody(entry, body) {
                    entry.vectorDimension = body.vector!.count
                    entry.location = .memtable
                    upgraded = true
                }
            })
            if upgraded { memtable[cacheKey] = body }
            guard inserted else { continue }
            live.entries += 1
            live.tokens += chunk.tokenCount
            live.textBytes += body.text.count
            memtable[cacheKey] = body
            if let dimension = body.vector?.count, dimension > 0, namespaceDimensions[key.namespace] == nil {
                namespaceDimensions[key.namespace] = dimension
            }
        }
        insertDocument(key, DocumentState(slot: slot, sequence: sequence, chunks: put.chunks, metadata: put.metadata), tokens: tokens)
    }

    /// Whether `body` replaces the stored body `entry` of the same text: it has a vector and
    /// the stored one has none.
    static func upgradesBody(_ entry: BlobEntry, _ body: ChunkBody) -> Bool {
        entry.vectorDimension == 0 && !(body.vector?.isEmpty ?? true)
    }

    /// Raises a slot's sequence number (a snapshot's record of it, which may be above every
    /// document's own sequence when the last operation changed nothing).
    /// Sequence 0 (a forget record's) creates no entry: a forgotten slot stays absent.
    mutating func raiseSequence(of slot: UInt32, to sequence: UInt64) {
        guard sequence > 0 else { return }
        slotSequences[slot] = max(slotSequences[slot] ?? 0, sequence)
    }

    /// Records a document whose chunks' reference counts the caller has already raised.
    mutating func insertDocument(_ key: DocumentKey, _ state: DocumentState, tokens: Int) {
        let slot = state.slot
        liveChunkCount += state.chunks.count
        liveTokens += tokens
        documents[key] = state
        slotDocuments[slot, default: []].insert(key)
        slotDigests[slot, default: 0] &+= SlotDigest.term(namespace: key.namespace, documentID: key.documentID,
                                                          sequence: state.sequence, chunks: state.chunks)
        // Most stores never delete; skip hashing the key a fourth time then.
        if !tombstones.isEmpty { tombstones[key] = nil }
        slotSequences[slot] = max(slotSequences[slot] ?? 0, state.sequence)
    }

    mutating func removeDocument(_ key: DocumentKey) {
        guard let old = documents.removeValue(forKey: key) else { return }
        slotDocuments[old.slot]?.remove(key)
        slotDigests[old.slot, default: 0] &-= SlotDigest.term(namespace: key.namespace, documentID: key.documentID,
                                                              sequence: old.sequence, chunks: old.chunks)
        let ns = ContentHash.of(key.namespace)
        var live = liveBlobs
        for chunk in old.chunks { blobs[ContentHash.cacheKey(namespaceHash: ns, text: chunk.hash)]?.addReferences(-1, live: &live) }
        liveBlobs = live
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
        for key in keys {
            if let entry = blobs.removeValue(forKey: key), entry.refCount > 0 { liveBlobs.count(entry, sign: -1) }
        }
    }
}
