import StrataCore

extension PersistentTier {
    /// The body of a live chunk by its memory-tier key, read (and checksum-verified) from
    /// disk unless it is still in the memtable. `notFound` when no live document references it.
    func body(cacheKey: ContentHash) throws(StrataError) -> (BlobEntry, ChunkBody) {
        state.lock()
        guard let entry = locked.index.blobs[cacheKey], entry.refCount > 0 else {
            state.unlock()
            throw .notFound("no live chunk with key \(cacheKey)")
        }
        switch entry.location {
        case .memtable:
            defer { state.unlock() }
            guard let body = locked.memtable[cacheKey] ?? locked.immutable[cacheKey] else { throw StrataError(.internal, "memtable lost body \(cacheKey)") }
            return (entry, body)
        case .segment(let id, let block):
            let segment = locked.segments[id]
            state.unlock()
            guard let segment else { throw .dataLoss("chunk \(cacheKey): its segment \(id) is not loaded") }
            do throws(StrataError) {
                return (entry, try segment.readBody(block, textBytes: entry.textBytes, vectorDimension: entry.vectorDimension, pool: pool))
            } catch {
                if error.code == .dataLoss { state.withLock { locked.corruptReads += 1 } }
                throw error
            }
        }
    }

    /// A live chunk's text, token count and vector.
    public func read(_ ref: ChunkRef) throws(StrataError) -> (text: String, tokenCount: Int, vector: [Float]?) {
        let (entry, body) = try body(cacheKey: ref.cacheKey)
        guard let text = String(validating: body.text, as: UTF8.self) else { throw .dataLoss("chunk \(ref): stored text is not UTF-8") }
        return (text, entry.tokenCount, body.floatVector)
    }

    /// A live document as it is stored now (chunks in order with text, token count,
    /// provenance and vector; its metadata), ready to be put again; nil when it does not exist.
    public func storedDocument(namespace: String, documentID: String) throws(StrataError) -> (chunks: [ChunkInput], metadata: DocumentMetadata)? {
        guard let document = state.withLock({ locked.index.documents[DocumentKey(namespace: namespace, documentID: documentID)] }) else {
            return nil
        }
        var chunks: [ChunkInput] = []
        chunks.reserveCapacity(document.chunks.count)
        for chunk in document.chunks {
            let (_, body) = try body(cacheKey: chunk.hash.cacheKeyIn(namespace))
            chunks.append(ChunkInput(utf8: body.text, tokenCount: chunk.tokenCount, provenance: chunk.provenance, vector: body.floatVector))
        }
        return (chunks, document.metadata)
    }

    /// The chunk refs of a document, in order; nil when the document does not exist.
    public func documentChunks(namespace: String, documentID: String) -> [ChunkRef]? {
        state.withLock {
            locked.index.documents[DocumentKey(namespace: namespace, documentID: documentID)]?.chunks.map {
                ChunkRef(namespace: namespace, hash: $0.hash)
            }
        }
    }

    /// The chunks of those of `documents` that exist, all read under the lock at once.
    func documentChunks(_ documents: [DocumentKey]) -> [ChunkRef] {
        guard !documents.isEmpty else { return [] }
        return state.withLock {
            documents.flatMap { key in
                (locked.index.documents[key]?.chunks ?? []).map { ChunkRef(namespace: key.namespace, hash: $0.hash) }
            }
        }
    }

    /// The metadata of a live document; nil when the document does not exist.
    public func documentMetadata(namespace: String, documentID: String) -> DocumentMetadata? {
        state.withLock { locked.index.documents[DocumentKey(namespace: namespace, documentID: documentID)]?.metadata }
    }

    /// Every chunk of every live document of a slot (documents in id order, chunks in order).
    public func forEachChunk(inSlot slot: UInt32, _ visit: (StoredChunk) throws(StrataError) -> Void) throws(StrataError) {
        let docs: [(DocumentKey, DocumentState)] = state.withLock {
            (locked.index.slotDocuments[slot] ?? []).compactMap { key in locked.index.documents[key].map { (key, $0) } }
        }
        for (key, doc) in docs.sorted(by: { ($0.0.namespace, $0.0.documentID) < ($1.0.namespace, $1.0.documentID) }) {
            for (ordinal, chunk) in doc.chunks.enumerated() {
                let ref = ChunkRef(namespace: key.namespace, hash: chunk.hash)
                let (_, body) = try body(cacheKey: ref.cacheKey)
                guard let text = String(validating: body.text, as: UTF8.self) else { throw .dataLoss("chunk \(ref): stored text is not UTF-8") }
                try visit(StoredChunk(ref: ref, slot: slot, sequence: doc.sequence, ordinal: ordinal, text: text,
                                      tokenCount: chunk.tokenCount, provenance: chunk.provenance, vector: body.floatVector,
                                      metadata: doc.metadata))
            }
        }
    }

    /// Streams a slot as batches, for another worker to `apply` in order: every live
    /// document written after `sequence` as a put, every deletion after it as a delete,
    /// grouped by sequence number, and a final empty batch carrying the slot's last sequence
    /// number when no batch carries it. `sequence: 0` is a full export. Returns that number.
    @discardableResult
    public func exportSlot(_ slot: UInt32, after sequence: UInt64, _ emit: (SlotWrite) throws(StrataError) -> Void) throws(StrataError) -> UInt64 {
        let (docs, tombs, last): ([(DocumentKey, DocumentState)], [(DocumentKey, Tombstone)], UInt64) = state.withLock {
            let docs = (locked.index.slotDocuments[slot] ?? []).compactMap { key in locked.index.documents[key].map { (key, $0) } }
                .filter { $0.1.sequence > sequence }
            let tombs = locked.index.tombstones.filter { $0.value.slot == slot && $0.value.sequence > sequence }.map { ($0.key, $0.value) }
            return (docs, tombs, locked.index.lastSequence(of: slot))
        }
        var bySequence: [UInt64: [StoreOperation]] = [:]
        // In key order, so the same slot always streams the same bytes.
        for (key, tomb) in tombs.sorted(by: { ($0.0.namespace, $0.0.documentID) < ($1.0.namespace, $1.0.documentID) }) {
            bySequence[tomb.sequence, default: []].append(.deleteDocument(namespace: key.namespace, documentID: key.documentID))
        }
        var putsBySequence: [UInt64: [(DocumentKey, DocumentState)]] = [:]
        for (key, doc) in docs { putsBySequence[doc.sequence, default: []].append((key, doc)) }
        let sequences = Set(bySequence.keys).union(putsBySequence.keys).sorted()
        for seq in sequences {
            var ops = bySequence[seq] ?? []
            for (key, doc) in (putsBySequence[seq] ?? []).sorted(by: { $0.0.documentID < $1.0.documentID }) {
                var chunks: [ChunkInput] = []
                for chunk in doc.chunks {
                    let (_, body) = try body(cacheKey: chunk.hash.cacheKeyIn(key.namespace))
                    chunks.append(ChunkInput(utf8: body.text, tokenCount: chunk.tokenCount, provenance: chunk.provenance, vector: body.floatVector))
                }
                ops.append(.putDocument(namespace: key.namespace, documentID: key.documentID, chunks: chunks, metadata: doc.metadata))
            }
            try emit(SlotWrite(slot: slot, sequence: seq, operations: ops))
        }
        if last > sequence, sequences.last != last {
            try emit(SlotWrite(slot: slot, sequence: last, operations: []))
        }
        return last
    }

    /// Applies an exported stream; batches at or below the slot's sequence are skipped.
    public func importSlot<S: Sequence>(_ batches: S) throws(StrataError) where S.Element == SlotWrite {
        for batch in batches { try apply(batch) }
    }

    /// Counters of the persistent tier.
    public func detailedStats() -> PersistentStats {
        state.withLock {
            var s = PersistentStats()
            s.entries = locked.index.liveBlobs.entries
            s.tokens = locked.index.liveBlobs.tokens
            s.textBytes = locked.index.liveBlobs.textBytes
            s.documents = locked.index.documents.count
            s.documentChunks = locked.index.liveChunkCount
            s.documentTokens = locked.index.liveTokens
            s.walBytes = locked.walEnd
            s.segmentCount = locked.segments.count
            s.segmentBytes = locked.segments.values.reduce(0) { $0 + $1.fileSize }
            s.memtableEntries = locked.memtable.count
            s.corruptReads = locked.corruptReads
            s.maintenanceErrors = locked.maintenanceErrors
            s.flushes = locked.flushes
            s.compactions = locked.compactions
            return s
        }
    }

    /// The persistent tier in the shape every tier reports.
    public func tierStats() -> TierStats {
        let d = detailedStats()
        var t = TierStats(tier: .persistent, backend: "disk", precision: .float16, eviction: .none)
        t.entries = d.entries
        t.tokens = d.tokens
        t.bytesUsed = d.walBytes + d.segmentBytes
        return t
    }
}

extension PersistentTier {
    /// The chunks of every document of `namespace` in `slot`.
    public func chunks(namespace: String, slot: UInt32) -> [ChunkRef] {
        state.withLock {
            (locked.index.slotDocuments[slot] ?? []).filter { $0.namespace == namespace }.flatMap { key in
                (locked.index.documents[key]?.chunks ?? []).map { ChunkRef(namespace: namespace, hash: $0.hash) }
            }
        }
    }

    /// The chunks of every document of `slot`, all namespaces.
    public func chunks(inSlot slot: UInt32) -> [ChunkRef] {
        state.withLock {
            (locked.index.slotDocuments[slot] ?? []).flatMap { key in
                (locked.index.documents[key]?.chunks ?? []).map { ChunkRef(namespace: key.namespace, hash: $0.hash) }
            }
        }
    }
}
