import StrataCore
import Synchronization

/// A worker's in-memory search index: one `SlotSearchShard` per (namespace, slot) it holds,
/// and the two query phases over any of its slots (`SlotSearchIndex+Query`).
///
/// The worker builds it from its store when it starts and keeps it in step with every write
/// the store applies (StrataNode's `SlotSearchIndex+StoreUpdates`, right after
/// `ChunkStore.apply`, under the slot's write lock so the index sees a slot's writes in the
/// store's order).
///
/// Thread safety: one mutex around the shards. Writers mutate in place under it; searches
/// take copy-on-write snapshots of the shards they need and search outside it, so a search
/// holds the lock only to copy a few references. A write landing on a shard that a search
/// still reads copies that one shard (a slot's share of a namespace), not the whole index.
///
/// Vector dimension: per namespace, fixed by the first vector the worker sees (the store
/// enforces the same rule). A shard created before its namespace had vectors is rebuilt from
/// the store when the first vector arrives.
///
/// Document metadata is indexed with every chunk (the store keeps it with the document, so a
/// rebuilt index and a replica filled by a slot copy have it too); `Filter.metadata_equals`
/// is applied inside the lexical and vector scans (see `SlotSearchIndex+Query`).
public final class SlotSearchIndex: Sendable {
    /// One namespace's share of one slot.
    struct Key: Hashable, Sendable {
        var namespace: String
        var slot: UInt32
    }

    /// What the mutex guards: the shards, and each namespace's vector dimension once known.
    struct State: Sendable {
        var shards: [Key: SlotSearchShard] = [:]
        var dimensions: [String: Int] = [:]
        /// Namespaces whose shards dropped their vector rows (their IVF index serves them).
        var offloaded: Set<String> = []
    }

    /// Shard settings without a dimension (each shard gets its namespace's).
    public let settings: SearchSettings
    /// `top_k` when a request leaves it 0.
    public let defaultTopK: Int
    /// Lexical weight in hybrid fusion when a request leaves it 0 (0...1; vectors get the rest).
    public let defaultLexicalWeight: Double
    let state = Mutex(State())
    /// The IVF indexes of namespaces past the switch (nil: the exact scan always).
    public let vectorIndexes: SlotVectorIndexes?
    /// Where dropped vector rows are read back from (the worker's store); without it shards
    /// keep their vectors (`SlotSearchIndex+Offload`).
    let storedVectors = Mutex<StoredVectorLookup?>(nil)

    public init(settings: SearchSettings, defaultTopK: Int, defaultLexicalWeight: Double,
                vectorIndexes: SlotVectorIndexes? = nil) {
        self.settings = settings
        self.defaultTopK = defaultTopK
        self.defaultLexicalWeight = defaultLexicalWeight
        self.vectorIndexes = vectorIndexes
    }

    /// The settings of a new shard of `namespace` (its vector dimension when known).
    public func shardSettings(dimension: Int?) -> SearchSettings {
        var shardSettings = settings
        shardSettings.vectorDimension = dimension
        return shardSettings
    }

    /// Snapshots of the namespace's shards in `slots` that hold chunks without a vector.
    public func pendingVectors(namespace: String, slots: [UInt32]) -> [(UInt32, SlotSearchShard)] {
        state.withLock { state in
            slots.sorted().compactMap { slot in
                guard let shard = state.shards[Key(namespace: namespace, slot: slot)], shard.withoutVectorCount > 0 else { return nil }
                return (slot, shard)
            }
        }
    }

    /// Forgets a slot entirely (the worker dropped it).
    public func removeSlot(_ slot: UInt32) {
        state.withLock { state in
            for key in state.shards.keys where key.slot == slot { state.shards[key] = nil }
        }
        noteVectorChange(.dropSlot(slot), namespace: nil)
    }
}
