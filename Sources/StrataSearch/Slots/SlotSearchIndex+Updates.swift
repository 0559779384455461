import StrataCore

/// Changing the index: one document at a time as writes arrive, whole slots when rebuilt.
extension SlotSearchIndex {
    /// One indexed chunk and what the worker answers about it.
    public typealias Entry = (chunk: IndexedChunk, detail: IndexedChunkDetail)

    /// Reads a slot's chunks (of one namespace, or all when nil) in document order, ordinal 0
    /// first, handing each to `emit` with its namespace: where a rebuild gets them from.
    public typealias SlotReader = (_ slot: UInt32, _ namespace: String?,
                                   _ emit: (_ namespace: String, _ entry: Entry) throws(StrataError) -> Void) throws(StrataError) -> Void

    /// The namespace's vector dimension, once a vector of it was indexed.
    public func dimension(of namespace: String) -> Int? {
        state.withLock { $0.dimensions[namespace] }
    }

    /// Every known namespace dimension (one lock for a whole write's checks).
    public func dimensions() -> [String: Int] {
        state.withLock { $0.dimensions }
    }

    /// Replaces a document's chunks in its slot. A first vector of the namespace fixes its
    /// dimension, and its shards built without one are rebuilt through `reader` first.
    public func upsert(namespace: String, slot: UInt32, documentID: String, chunks: [Entry],
                       reader: SlotReader) throws(StrataError) {
        if let dimension = chunks.lazy.compactMap({ $0.chunk.vector?.count }).first {
            try learnDimension(dimension, of: namespace, reader: reader)
        }
        let key = Key(namespace: namespace, slot: slot)
        try state.withLock { (state) throws(StrataError) in
            if state.shards[key] == nil {
                state.shards[key] = try SlotSearchShard(settings: shardSettings(dimension: state.dimensions[namespace]))
                // Its IVF index holds the namespace's vectors: the new shard records presence only.
                if state.offloaded.contains(namespace) { state.shards[key]!.shard.offloadVectors() }
            }
            try state.shards[key]!.upsert(documentID: documentID, chunks: chunks.map { ($0.chunk, $0.detail) })
        }
        noteVectorChange(.upsert(slot: slot, documentID: documentID, chunks: chunks.map { ($0.chunk.ref, $0.chunk.vector) }),
                         namespace: namespace)
    }

    /// Removes a document; one the slot does not hold is a no-op.
    public func remove(namespace: String, slot: UInt32, documentID: String) {
        let key = Key(namespace: namespace, slot: slot)
        state.withLock { state in
            state.shards[key]?.remove(documentID: documentID)
            if state.shards[key]?.isEmpty == true { state.shards[key] = nil }
        }
        noteVectorChange(.remove(slot: slot, documentID: documentID), namespace: namespace)
    }

    /// Forgets the namespace's share of the slot.
    public func dropNamespace(_ namespace: String, slot: UInt32) {
        _ = state.withLock { $0.shards.removeValue(forKey: Key(namespace: namespace, slot: slot)) }
        noteVectorChange(.dropSlot(slot), namespace: namespace)
    }

    /// Fixes a namespace's dimension the first time a vector is seen, rebuilding the shards
    /// of that namespace that were built without one.
    private func learnDimension(_ dimension: Int, of namespace: String, reader: SlotReader) throws(StrataError) {
        try state.withLock { (state) throws(StrataError) in
            guard state.dimensions[namespace] == nil else { return }
            state.dimensions[namespace] = dimension
            let slots = state.shards.keys.filter { $0.namespace == namespace }.map(\.slot)
            try Self.rebuild(slots.map { ($0, namespace) }, reader: reader, settings: settings, state: &state)
        }
    }

    /// Re-indexes a slot (one namespace of it, or all when `namespace` is nil) from `reader`.
    ///
    /// Runs under the index lock from the read to the swap, so a write to the slot whose
    /// index update is waiting for the lock is applied after the swap (upserts and removals are
    /// idempotent), and one applied before is in what the reader returns. Searches wait
    /// meanwhile; this happens at start-up and when a namespace gets its first vector.
    public func rebuild(slot: UInt32, namespace: String?, reader: SlotReader) throws(StrataError) {
        try state.withLock { (state) throws(StrataError) in
            try Self.rebuild([(slot, namespace)], reader: reader, settings: settings, state: &state)
        }
        resetVectorIndexes(namespace: namespace)
    }

    /// Works through `pending`; a namespace that gets its first vector here queues its
    /// vector-less shards in other slots.
    private static func rebuild(_ pending: [(UInt32, String?)], reader: SlotReader, settings: SearchSettings,
                                state: inout State) throws(StrataError) {
        var work = pending
        while let (slot, only) = work.popLast() {
            var documents: [Key: [(String, [(IndexedChunk, IndexedChunkDetail)])]] = [:]
            var learned: [String] = []
            try reader(slot, only) { (namespace, entry) throws(StrataError) in
                if let only, namespace != only { return }
                let key = Key(namespace: namespace, slot: slot)
                let documentID = entry.chunk.ref.documentID
                if let vector = entry.chunk.vector, state.dimensions[namespace] == nil {
                    state.dimensions[namespace] = vector.count
                    learned.append(namespace)
                }
                if entry.chunk.ref.ordinal == 0 || documents[key]?.last?.0 != documentID {
                    documents[key, default: []].append((documentID, [(entry.chunk, entry.detail)]))
                } else {
                    documents[key]![documents[key]!.count - 1].1.append((entry.chunk, entry.detail))
                }
            }
            for key in state.shards.keys where key.slot == slot && (only == nil || key.namespace == only) {
                state.shards[key] = nil
            }
            for (key, docs) in documents {
                var settings = settings
                settings.vectorDimension = state.dimensions[key.namespace]
                var shard = try SlotSearchShard(settings: settings)
                for (documentID, chunks) in docs {
                    try shard.upsert(documentID: documentID, chunks: chunks)
                }
                state.shards[key] = shard
            }
            for namespace in learned {
                for (key, shard) in state.shards where key.namespace == namespace && shard.shard.settings.vectorDimension == nil {
                    work.append((key.slot, namespace))
                }
            }
        }
    }
}
