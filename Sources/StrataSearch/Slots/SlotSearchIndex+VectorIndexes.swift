import Dispatch
import StrataCore

/// The IVF side of the worker's index (`SlotVectorIndexes`): kept in step with every change
/// to the shards, built in the background when a namespace crosses the switch, and read by
/// vector lists when ready. Called outside the index lock (list files are written here).
extension SlotSearchIndex {
    /// Passes a change to the namespace's IVF index (every namespace's for nil), or, for an
    /// upsert into a namespace without one, checks whether it crossed the switch.
    func noteVectorChange(_ operation: NamespaceVectorIndex.Operation, namespace: String?) {
        guard let vectorIndexes else { return }
        guard let namespace else {
            for index in vectorIndexes.indexes.withLock({ Array($0.values) }) { index.apply(operation) }
            return
        }
        if let index = vectorIndexes.index(of: namespace) {
            index.apply(operation)
            // Built again from the shards once it has grown past its lists; the exact scan
            // serves meanwhile, as it did before the switch.
            if case .upsert = operation, index.isOutgrown { resetVectorIndexes(namespace: namespace) }
        } else if case .upsert = operation {
            considerVectorIndex(namespace: namespace)
        }
    }

    /// Starts building the IVF index of every namespace past the switch (a worker calls it
    /// once its index is filled at start).
    public func startVectorIndexes() {
        for namespace in dimensions().keys.sorted() { considerVectorIndex(namespace: namespace) }
    }

    /// The namespace's vectors on this worker (live chunks with a vector, over all its slots).
    public func vectorCount(namespace: String) -> Int {
        state.withLock { state in
            state.shards.reduce(0) { sum, entry in
                entry.key.namespace == namespace && entry.value.shard.vectors != nil
                    ? sum + entry.value.shard.chunkCount - entry.value.withoutVectorCount : sum
            }
        }
    }

    /// Builds the namespace's index in the background when it has crossed the switch and has none.
    func considerVectorIndex(namespace: String) {
        guard let vectorIndexes, vectorIndexes.index(of: namespace) == nil,
              vectorIndexes.settings.usesIVF(vectorCount: vectorCount(namespace: namespace)),
              let target = vectorIndexes.claim(namespace) else { return }
        // On a thread of dispatch's own, not the cooperative pool: a build is seconds of CPU
        // and disk (about 9 s at 47K vectors on a loaded machine), which on a pool as wide as
        // the cores would hold up the worker's handlers and its heartbeats.
        DispatchQueue.global(qos: .utility).async { [weak self] in
            self?.buildVectorIndex(target)
        }
    }

    /// After shards were replaced wholesale (a slot rebuilt or installed from a snapshot):
    /// the namespace's index (every one for nil) is built again from the new shards.
    func resetVectorIndexes(namespace: String?) {
        guard let vectorIndexes else { return }
        let names = namespace.map { [$0] } ?? vectorIndexes.indexes.withLock { Array($0.keys) }
        for name in names where vectorIndexes.index(of: name) != nil {
            vectorIndexes.discard(name)
            considerVectorIndex(namespace: name)
        }
    }

    /// Trains (or reads back) the centroids, writes or reuses every list file, and installs
    /// the index, which then replays the changes journaled meanwhile.
    func buildVectorIndex(_ target: NamespaceVectorIndex) {
        let namespace = target.namespace
        let started = ContinuousClock.now
        vectorIndexes?.progress(SlotVectorIndexes.report(target), .zero)
        defer { vectorIndexes?.progress(SlotVectorIndexes.report(target), ContinuousClock.now - started) }
        let shards = state.withLock { state in
            state.shards.filter { $0.key.namespace == namespace }.map { (slot: $0.key.slot, shard: $0.value) }.sorted { $0.slot < $1.slot }
        }
        guard let vectorIndexes, let dimension = dimension(of: namespace) else { return target.fail("no vectors") }
        do throws(StrataError) {
            let (index, placement) = try IVFWorkerBuild.run(
                shards, dimension: dimension, metric: settings.metric, settings: vectorIndexes.settings,
                directory: target.directory, fs: vectorIndexes.fs, cancelled: { vectorIndexes.isClosed },
                vectorSource: { [weak self, weak target] id in
                    guard let self, let ref = target?.chunkRef(of: id) else { return nil }
                    return self.storedVector(namespace: namespace, slot: NamespaceVectorIndex.slot(of: id), ref: ref)
                })
            target.install(index, placement: placement)
        } catch {
            target.fail(error.message)
        }
    }

    /// A chunk's vector as its shard holds it (FP16, decoded): what a torn list is rebuilt from.
    func storedVector(namespace: String, slot: UInt32, ref: ChunkRef) -> [Float]? {
        state.withLock { state -> [Float]? in
            guard let shard = state.shards[Key(namespace: namespace, slot: slot)]?.shard, let storage = shard.vectors,
                  let rows = shard.slotsByDocument[ref.documentID],
                  let row = rows.first(where: { shard.refs[Int($0)] == ref }), storage.present[Int(row)] else { return nil }
            return storage.decoded(row: Int(row))
        }
    }

    /// The vector lists through the namespace's IVF index, or nil when the exact scan answers:
    /// no index ready, or a document or metadata filter (applied by the exact scan).
    ///
    /// Hits are tagged with their slot's place in `shards` (the snapshot of `request.slots`);
    /// a hit whose chunk the snapshot no longer holds is left out by the candidates' look-up.
    func vectorListsThroughIVF(_ request: SlotQuery, _ shards: [SlotSearchShard], _ query: [Float],
                               plan: SlotQueryPlan) throws(StrataError) -> [ShardListMerge.Tagged]? {
        guard plan.filter.isEmpty, plan.depth > 0, let index = vectorIndexes?.index(of: request.namespace),
              let dimension = dimension(of: request.namespace) else { return nil }
        let slots = Set(request.slots).sorted()
        // The snapshot's shards in slot order: which requested slots have one.
        let present = state.withLock { state in slots.filter { state.shards[Key(namespace: request.namespace, slot: $0)] != nil } }
        guard present.count == shards.count else { return nil }
        let prepared = try VectorQuery(query, dimension: dimension, metric: settings.metric)
        guard let hits = index.search(prepared, slots: present, depth: plan.depth,
                                      rescoreCandidates: Self.rescoreCandidates(depth: plan.depth, factor: settings.rescoreFactor))
        else { return nil }
        var position: [UInt32: Int] = [:]
        for (i, slot) in present.enumerated() { position[slot] = i }
        var tagged = hits.compactMap { hit in
            position[hit.slot].map { ShardListMerge.Tagged(hit: SearchHit(ref: hit.ref, score: Double(hit.score)), shard: $0) }
        }
        tagged.sort { a, b in a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.hit.ref < b.hit.ref }
        return tagged
    }

    /// The worker's IVF indexes as status reports them (empty without any).
    public func vectorIndexStatus() -> [VectorIndexReport] { vectorIndexes?.status() ?? [] }
}
