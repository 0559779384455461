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
            // A failed index serves nothing: the exact scan needs the shards' rows again.
            if index.hasFailed { reload(namespace: namespace) }
            // Built again from the shards once it has grown past its lists; the exact scan
            // serves meanwhile, as it did before the switch. Shards without their rows get them
            // back first, in the background, while this index keeps serving.
            if case .upsert = operation, index.isOutgrown, index.claimRebuild() {
                if isOffloaded(namespace) {
                    rebuildOutgrown(index, namespace: namespace)
                } else {
                    replaceVectorIndex(index, namespace: namespace)
                }
            }
        } else if case .upsert = operation {
            considerVectorIndex(namespace: namespace)
        }
    }

    /// Starts building the IVF index of every namespace past the switch (a worker calls it
    /// once its index is filled at start).
    public func startVectorIndexes() {
        for namespace in dimensions().keys.sorted() {
            // Shards read back from snapshots without their rows get them back first: the
            // exact scan serves until the index is ready, and the build reads them.
            reload(namespace: namespace)
            considerVectorIndex(namespace: namespace)
        }
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
            reload(namespace: name)
            vectorIndexes.discard(name)
            considerVectorIndex(namespace: name)
        }
    }

    /// Reads the shards' rows back from the store, then builds the outgrown index again; it
    /// serves (and follows writes) until then.
    func rebuildOutgrown(_ index: NamespaceVectorIndex, namespace: String) {
        DispatchQueue.global(qos: .utility).async { [weak self] in  // off the cooperative pool, as a build
            guard let self, self.vectorIndexes?.index(of: namespace) === index else { return }
            self.reload(namespace: namespace)
            self.replaceVectorIndex(index, namespace: namespace)
        }
    }

    /// Discards `index` and builds the namespace's again, unless another replaced it already.
    func replaceVectorIndex(_ index: NamespaceVectorIndex, namespace: String) {
        guard let vectorIndexes, vectorIndexes.discard(namespace, ifStill: index) else { return }
        considerVectorIndex(namespace: namespace)
    }

    /// Trains (or reads back) the centroids, writes or reuses every list file, and installs
    /// the index, which then replays the changes journaled meanwhile.
    func buildVectorIndex(_ target: NamespaceVectorIndex) {
        let namespace = target.namespace
        let started = ContinuousClock.now
        vectorIndexes?.progress(SlotVectorIndexes.report(target), .zero)
        defer { vectorIndexes?.progress(SlotVectorIndexes.report(target), ContinuousClock.now - started) }
        reload(namespace: namespace)
        let shards = state.withLock { state in
            state.shards.filter { $0.key.namespace == namespace }.map { (slot: $0.key.slot, shard: $0.value) }.sorted { $0.slot < $1.slot }
        }
        guard let vectorIndexes, let dimension = dimension(of: namespace) else { return target.fail("no vectors") }
        do throws(StrataError) {
            let (index, placement) = try IVFWorkerBuild.run(
                shards, dimension: dimension, metric: settings.metric, settings: vectorIndexes.settings,
                directory: target.directory, fs: vectorIndexes.fs,
                // A discarded build stops at its next list: its successor writes the same files.
                cancelled: { vectorIndexes.isClosed || vectorIndexes.index(of: namespace) !== target },
                vectorSource: { [weak self, weak target] id in
                    guard let self, let ref = target?.chunkRef(of: id) else { return nil }
                    return self.storedVector(namespace: namespace, slot: NamespaceVectorIndex.slot(of: id), ref: ref)
                })
            target.install(index, placement: placement)
            // Still the namespace's index and serving: the shards' rows are not needed any more.
            if target.ready != nil, vectorIndexes.index(of: namespace) === target { offload(namespace: namespace) }
        } catch {
            target.fail(error.message)
        }
    }

    /// A chunk's vector as its shard holds it (FP16, decoded), or as the store gives it when
    /// the shard dropped its rows: what a torn list is rebuilt from.
    func storedVector(namespace: String, slot: UInt32, ref: ChunkRef) -> [Float]? {
        let found = state.withLock { state -> (row: [Float]?, offloaded: Bool)? in
            guard let shard = state.shards[Key(namespace: namespace, slot: slot)]?.shard, let storage = shard.vectors,
                  let rows = shard.slotsByDocument[ref.documentID],
                  let row = rows.first(where: { shard.refs[Int($0)] == ref }), storage.present[Int(row)] else { return nil }
            return storage.resident ? (storage.decoded(row: Int(row)), false) : (nil, true)
        }
        guard let found else { return nil }
        guard found.offloaded else { return found.row }
        guard let lookup = storedVectors.withLock({ $0 }), let vector = lookup(namespace, ref.contentHash) else { return nil }
        return NamespaceVectorIndex.storedRow(metric: settings.metric)(vector)
    }

    /// The vector lists through the namespace's IVF index, or nil when the exact scan answers:
    /// no index ready, or a document or metadata filter over shards that hold their rows (the
    /// exact scan applies it). A filter over shards that dropped their rows scans every list
    /// for the chunks it admits (the exact answer, see `NamespaceVectorIndex.search`).
    ///
    /// Hits are tagged with their slot's place in `shards` (the snapshot of `request.slots`);
    /// a hit whose chunk the snapshot no longer holds is left out by the candidates' look-up.
    func vectorListsThroughIVF(_ request: SlotQuery, _ shards: [SlotSearchShard], _ query: [Float],
                               plan: SlotQueryPlan) throws(StrataError) -> [ShardListMerge.Tagged]? {
        let offloaded = shards.contains { $0.shard.vectorsOffloaded }
        guard plan.filter.isEmpty || offloaded, plan.depth > 0, let index = vectorIndexes?.index(of: request.namespace),
              let dimension = dimension(of: request.namespace) else { return nil }
        let slots = Set(request.slots).sorted()
        // The snapshot's shards in slot order: which requested slots have one.
        let present = state.withLock { state in slots.filter { state.shards[Key(namespace: request.namespace, slot: $0)] != nil } }
        guard present.count == shards.count else { return nil }
        let prepared = try VectorQuery(query, dimension: dimension, metric: settings.metric)
        let admitted = plan.filter.isEmpty ? nil : Self.admittedIDs(shards, slots: present, filter: plan.filter)
        guard let hits = index.search(prepared, slots: present, depth: plan.depth,
                                      rescoreCandidates: Self.rescoreCandidates(depth: plan.depth, factor: settings.rescoreFactor),
                                      only: admitted)
        else { return nil }
        var position: [UInt32: Int] = [:]
        for (i, slot) in present.enumerated() { position[slot] = i }
        var tagged = hits.compactMap { hit in
            position[hit.slot].map { ShardListMerge.Tagged(hit: SearchHit(ref: hit.ref, score: Double(hit.score)), shard: $0) }
        }
        tagged.sort { a, b in a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.hit.ref < b.hit.ref }
        return tagged
    }

    /// The IVF ids of the live chunks with a vector that `filter` admits; `shards[i]` is slot `slots[i]`.
    static func admittedIDs(_ shards: [SlotSearchShard], slots: [UInt32], filter: SearchFilter) -> Set<UInt64> {
        var ids = Set<UInt64>()
        for (shard, slot) in zip(shards, slots) {
            let s = shard.shard
            guard let storage = s.vectors else { continue }
            for row in 0..<s.refs.count where storage.present[row] && s.admits(row, filter) {
                ids.insert(NamespaceVectorIndex.id(slot: slot, documentID: s.refs[row].documentID, ordinal: s.refs[row].ordinal))
            }
        }
        return ids
    }

    /// The worker's IVF indexes as status reports them (empty without any), each with the
    /// bytes of vector rows its shards still hold in memory.
    public func vectorIndexStatus() -> [VectorIndexReport] {
        (vectorIndexes?.status() ?? []).map { report in
            var report = report
            report.shardVectorBytes = shardVectorBytes(namespace: report.namespace)
            return report
        }
    }
}
