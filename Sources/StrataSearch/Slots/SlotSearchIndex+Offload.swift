import CStrataSupport
import StrataCore

/// Shards without their vector rows once the namespace's IVF index is ready: the lists (on
/// disk, the working set in `worker.ivf_cache_bytes`) hold the only in-process copy, so a
/// worker's memory follows the cache budget, not its data. Lexical search, metadata and the
/// chunk details stay in the shards.
///
/// | event                                             | shards                                  |
/// |---------------------------------------------------|-----------------------------------------|
/// | the namespace's index becomes ready               | rows dropped (`offload`)                |
/// | an upsert into an offloaded namespace             | presence recorded, the IVF index gets the vector |
/// | the index is discarded (outgrown, slot rebuilt), fails, or is built again (a start) | rows read back from the store (`reload`) before the exact scan or a build reads them |
///
/// The store is the source of truth of every vector, so a reload gives exactly the rows a
/// fresh index would hold; it runs mostly outside the index lock (see `reload`) and is rare:
/// a rebuild, a start, a disk failure.
extension SlotSearchIndex {
    /// A chunk's stored vector, as the index holds it (FP16 precision), by namespace and
    /// content hash; nil when the store has none.
    public typealias StoredVectorLookup = @Sendable (_ namespace: String, _ contentHash: ContentHash) -> [Float]?

    /// Lets shards drop their vector rows once an IVF index serves them, reading them back
    /// through `lookup` when needed. Without it (the default) shards keep every vector.
    public func attachStoredVectors(_ lookup: @escaping StoredVectorLookup) {
        storedVectors.withLock { $0 = lookup }
    }

    /// Drops the namespace's vector rows from its shards (its IVF index just became ready).
    func offload(namespace: String) {
        guard storedVectors.withLock({ $0 != nil }) else { return }
        state.withLock { state in
            state.offloaded.insert(namespace)
            for key in state.shards.keys where key.namespace == namespace {
                state.shards[key]!.shard.offloadVectors()
            }
        }
        // The rows were many small arrays (one per slot) inside malloc's heap: hand the freed
        // pages back, or the worker's RSS would not show what was dropped.
        strata_release_free_memory()
    }

    /// Reads the namespace's dropped vector rows back from the store (before the exact scan
    /// or an IVF build reads the shards). A no-op when none were dropped.
    ///
    /// The rows are read and encoded outside the index lock, on copies of the shards as they
    /// were (one store read per chunk and an INT8 and FP16 row each: seconds at 400K vectors,
    /// during which writes, searches and the worker's status -- its heartbeats -- waited when
    /// this ran under the lock, until the coordinator declared the worker dead). Under the lock
    /// only the rows appended since are encoded; a shard whose earlier rows changed (compacted)
    /// is reloaded there whole.
    func reload(namespace: String) {
        guard let lookup = storedVectors.withLock({ $0 }) else { return }
        let taken = state.withLock { state -> [(key: Key, shard: SearchShard)] in
            guard state.offloaded.contains(namespace) else { return [] }
            return state.shards.filter { $0.key.namespace == namespace && $0.value.shard.vectorsOffloaded }.map { ($0.key, $0.value.shard) }
        }
        var read: [ContentHash: [Float]?] = [:]
        func vector(_ ref: ChunkRef) -> [Float]? {
            if let known = read[ref.contentHash] { return known }
            let found = lookup(namespace, ref.contentHash)
            read[ref.contentHash] = found
            return found
        }
        var reloaded: [Key: SearchShard] = [:]
        for (key, shard) in taken {
            var copy = shard
            copy.reloadVectors(vector)
            reloaded[key] = copy
        }
        state.withLock { state in
            guard state.offloaded.remove(namespace) != nil else { return }
            for key in state.shards.keys where key.namespace == namespace && state.shards[key]!.shard.vectorsOffloaded {
                if let copy = reloaded[key], state.shards[key]!.shard.adoptReloadedVectors(of: copy, vector) { continue }
                state.shards[key]!.shard.reloadVectors(vector)
            }
        }
    }

    /// Whether the namespace's shards dropped their rows.
    func isOffloaded(_ namespace: String) -> Bool {
        state.withLock { $0.offloaded.contains(namespace) }
    }

    /// Bytes of the namespace's vector rows its shards hold in memory (0 once offloaded).
    public func shardVectorBytes(namespace: String) -> Int {
        state.withLock { state in
            state.shards.reduce(0) { $0 + ($1.key.namespace == namespace ? $1.value.shard.residentVectorBytes : 0) }
        }
    }
}
