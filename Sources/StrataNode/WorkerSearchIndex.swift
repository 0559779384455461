import StrataCore
import StrataSearch
import StrataStore
import Synchronization

/// The worker's in-memory search index: one `SlotSearchShard` per (namespace, slot) it holds.
///
/// Built from the store when the worker starts (`build(from:)`) and kept in step with every
/// write the store applies (`apply(_:store:)`, called right after `ChunkStore.apply`, under
/// the slot's write lock so the index sees a slot's writes in the store's order).
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
/// is applied inside the lexical and vector scans (see `WorkerSearchIndex+Query`).
final class WorkerSearchIndex: Sendable {
    struct Key: Hashable, Sendable {
        var namespace: String
        var slot: UInt32
    }

    struct State: Sendable {
        var shards: [Key: SlotSearchShard] = [:]
        var dimensions: [String: Int] = [:]
    }

    /// Shard settings without a dimension (each shard gets its namespace's).
    let settings: SearchSettings
    /// `top_k` when a request leaves it 0.
    let defaultTopK: Int
    /// Lexical weight in hybrid fusion when a request leaves it 0 (0...1; vectors get the rest).
    let defaultLexicalWeight: Double
    let state = Mutex(State())

    init(settings: SearchSettings, defaultTopK: Int, defaultLexicalWeight: Double) {
        self.settings = settings
        self.defaultTopK = defaultTopK
        self.defaultLexicalWeight = defaultLexicalWeight
    }

    /// The settings of a new shard of `namespace` (its vector dimension when known).
    func shardSettings(dimension: Int?) -> SearchSettings {
        var shardSettings = settings
        shardSettings.vectorDimension = dimension
        return shardSettings
    }

    /// Indexes every slot the store holds (called before the worker accepts writes).
    func build(from store: ChunkStore) throws(StrataError) {
        for slot in store.persistent.slotSequences().keys.sorted() {
            try rebuild(slot: slot, namespace: nil, from: store)
        }
    }

    /// Snapshots of the namespace's shards in `slots` that hold chunks without a vector.
    func pendingVectors(namespace: String, slots: [UInt32]) -> [(UInt32, SlotSearchShard)] {
        state.withLock { state in
            slots.sorted().compactMap { slot in
                guard let shard = state.shards[Key(namespace: namespace, slot: slot)], shard.withoutVectorCount > 0 else { return nil }
                return (slot, shard)
            }
        }
    }

    /// Forgets a slot entirely (the worker dropped it).
    func removeSlot(_ slot: UInt32) {
        state.withLock { state in
            for key in state.shards.keys where key.slot == slot { state.shards[key] = nil }
        }
    }
}
