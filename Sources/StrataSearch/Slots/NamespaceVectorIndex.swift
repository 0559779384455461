import CStrataSupport
import StrataCore
import Synchronization

/// One namespace's IVF index on a worker (`IVFTieredIndex`), over all of the worker's slots
/// of that namespace: what vector lists read once the namespace has crossed
/// `IVFSettings.minimumVectors` (`SlotVectorIndexes` decides and builds).
///
/// Ids carry their slot in the top 16 bits and a 48-bit hash of (document id, ordinal) below,
/// so a query over some of the worker's slots filters inside the scan with one table look-up
/// per row, and an id names one chunk position across restarts. `Placement` maps ids back to
/// chunk references (and each document to its ids, for upserts and removals); two chunks of a
/// slot whose ids collide put the index in `failed`, and the exact scan serves the namespace.
///
/// Phases: `building` while the first index is trained and written in the background (writes
/// are journaled and replayed when it is ready; queries take the exact scan), then `ready`,
/// or `failed` (a disk error or a collision: the exact scan serves, status says why).
///
/// Locks: `phase` serializes writers (while building, only `install` applies changes, outside
/// it) and is held only briefly by queries; `placement` is a
/// leaf (held for map updates and look-ups, never while calling out), so the tiered index's
/// rebuild of a torn list may read it through its vector source.
final class NamespaceVectorIndex: Sendable {
    /// A change to the namespace's chunks, as the worker's index applies it.
    enum Operation: Sendable {
        case upsert(slot: UInt32, documentID: String, chunks: [(ref: ChunkRef, vector: [Float]?)])
        case remove(slot: UInt32, documentID: String)
        case dropSlot(UInt32)
    }

    enum Phase: Sendable {
        case building(journal: [Operation])
        case ready(IVFTieredIndex)
        case failed(String)
    }

    struct DocumentKey: Hashable, Sendable {
        var slot: UInt32
        var documentID: String
    }

    struct Placement: Sendable {
        var refs: [UInt64: ChunkRef] = [:]
        var documents: [DocumentKey: [UInt64]] = [:]
    }

    let namespace: String
    let settings: IVFSettings
    let directory: String
    let fs: any StoreFileSystem
    let phase = Mutex(Phase.building(journal: []))
    let placement = Mutex(Placement())
    /// Set once a rebuild of this (outgrown) index was started.
    let rebuildClaimed = Atomic<Bool>(false)

    init(namespace: String, settings: IVFSettings, directory: String, fs: any StoreFileSystem) {
        self.namespace = namespace
        self.settings = settings
        self.directory = directory
        self.fs = fs
    }

    /// The id of a chunk position: slot in the top 16 bits, 48 bits of XXH3 of the document id
    /// and ordinal below.
    static func id(slot: UInt32, documentID: String, ordinal: Int32) -> UInt64 {
        var bytes = Array(documentID.utf8)
        withUnsafeBytes(of: ordinal.littleEndian) { bytes.append(contentsOf: $0) }
        var high: UInt64 = 0
        var low: UInt64 = 0
        bytes.withUnsafeBytes { strata_xxh3_128($0.baseAddress, $0.count, &high, &low) }
        return UInt64(slot & 0xFFFF) << 48 | (low & 0xFFFF_FFFF_FFFF)
    }

    static func slot(of id: UInt64) -> UInt32 { UInt32(id >> 48) }

    /// Whether the index was cut for far fewer vectors than it holds now (over twice the lists
    /// `settings.listSize` asks for): lists that long cost every probe, so it is built again.
    var isOutgrown: Bool {
        guard let index = ready else { return false }
        return IVFCentroids.listCount(vectors: index.count, targetListSize: settings.listSize) > 2 * index.centroids.count
    }

    /// A vector as the FP16 row a shard stores of it, decoded: what lists are chosen by (see
    /// `IVFWorkerBuild`).
    static func storedRow(metric: VectorMetric) -> ([Float]) -> [Float] {
        { vector in
            var storage = VectorStorage(dimension: vector.count, metric: metric)
            storage.append(vector)
            return storage.decoded(row: 0)
        }
    }

    /// The ready index, nil while building or after a failure.
    var ready: IVFTieredIndex? {
        phase.withLock { if case .ready(let index) = $0 { index } else { nil } }
    }

    /// True the first time only: the caller starts this index's rebuild.
    func claimRebuild() -> Bool {
        rebuildClaimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Whether the index failed (a disk error or a collision): the exact scan serves.
    var hasFailed: Bool {
        phase.withLock { if case .failed = $0 { true } else { false } }
    }

    /// Applies (ready), journals (building) or ignores (failed) a change.
    func apply(_ operation: Operation) {
        phase.withLock { phase in
            switch phase {
            case .building(var journal):
                phase = .failed("")  // releases the journal's buffer so the append below does not copy it
                journal.append(operation)
                phase = .building(journal: journal)
            case .ready(let index):
                do throws(StrataError) { try apply(operation, to: index) } catch {
                    phase = .failed(error.message)
                }
            case .failed:
                break
            }
        }
    }

    /// Installs a built index and its placement, replays the changes journaled meanwhile.
    ///
    /// The replay runs outside the phase lock, a journal's worth at a time, while the phase
    /// stays `building` (so later changes are journaled, not applied, and keep their order);
    /// the index turns ready under the lock once a round finds the journal empty. Held for the
    /// whole replay -- a minute of writes after a 43 s build at 400K vectors -- the lock stalled
    /// every ingest handler that reached `apply`, and with them the worker's heartbeats.
    func install(_ index: IVFTieredIndex, placement built: Placement) {
        guard phase.withLock({ if case .building = $0 { true } else { false } }) else { return }
        placement.withLock { $0 = built }
        while true {
            let round = phase.withLock { phase -> [Operation]? in
                guard case .building(let journal) = phase else { return nil }  // failed or discarded meanwhile
                if journal.isEmpty { phase = .ready(index) }
                else { phase = .building(journal: []) }
                return journal
            }
            guard let round, !round.isEmpty else { return }
            do throws(StrataError) {
                for operation in round { try apply(operation, to: index) }
            } catch {
                fail(error.message)
                return
            }
        }
    }

    /// Marks the index failed (the exact scan serves), unless it already is.
    func fail(_ reason: String) {
        phase.withLock { phase in
            if case .failed = phase { return }
            phase = .failed(reason)
        }
    }

    private func apply(_ operation: Operation, to index: IVFTieredIndex) throws(StrataError) {
        switch operation {
        case .upsert(let slot, let documentID, let chunks):
            var batch: [(id: UInt64, vector: [Float])] = []
            var newRefs: [(UInt64, ChunkRef)] = []
            for chunk in chunks {
                guard let vector = chunk.vector else { continue }
                let id = Self.id(slot: slot, documentID: documentID, ordinal: chunk.ref.ordinal)
                batch.append((id, vector))
                newRefs.append((id, chunk.ref))
            }
            let key = DocumentKey(slot: slot, documentID: documentID)
            let stale = try placement.withLock { (p) throws(StrataError) -> [UInt64] in
                let old = p.documents[key] ?? []
                for (id, ref) in newRefs {
                    if let held = p.refs[id], held.documentID != documentID || held.ordinal != ref.ordinal {
                        throw .failedPrecondition("ivf ids collide in slot \(slot) (\(held.documentID) and \(documentID)); the exact scan serves")
                    }
                }
                let kept = Set(newRefs.map(\.0))
                let stale = old.filter { !kept.contains($0) }
                for id in stale { p.refs[id] = nil }
                for (id, ref) in newRefs { p.refs[id] = ref }
                p.documents[key] = newRefs.isEmpty ? nil : newRefs.map(\.0)
                return stale
            }
            if !stale.isEmpty { try index.remove(stale) }
            if !batch.isEmpty { try index.upsert(batch, placedBy: Self.storedRow(metric: index.metric)) }
        case .remove(let slot, let documentID):
            let ids = placement.withLock { p -> [UInt64] in
                let ids = p.documents.removeValue(forKey: DocumentKey(slot: slot, documentID: documentID)) ?? []
                for id in ids { p.refs[id] = nil }
                return ids
            }
            if !ids.isEmpty { try index.remove(ids) }
        case .dropSlot(let slot):
            let ids = placement.withLock { p -> [UInt64] in
                let keys = p.documents.keys.filter { $0.slot == slot }
                var ids: [UInt64] = []
                for key in keys { ids += p.documents.removeValue(forKey: key) ?? [] }
                for id in ids { p.refs[id] = nil }
                return ids
            }
            if !ids.isEmpty { try index.remove(ids) }
        }
    }

    /// The best `depth` chunks of `slots` for `query` through the IVF index, each with its slot
    /// and FP16-rescored score; nil when the index is not ready (the caller scans exactly).
    ///
    /// With `only` (the ids a filter admits) every list is scanned, unpromoted, and only those
    /// ids ranked: the lists hold copies of the shards' rows, so that is the exact scan's answer.
    func search(_ query: VectorQuery, slots: [UInt32], depth: Int, rescoreCandidates: Int,
                only: Set<UInt64>? = nil) -> [(slot: UInt32, ref: ChunkRef, score: Float)]? {
        guard let index = ready else { return nil }
        var wanted = [Bool](repeating: false, count: Int(slots.max() ?? 0) + 1)
        for slot in slots { wanted[Int(slot)] = true }
        let probes = only == nil ? settings.probes(lists: index.centroids.count) : index.centroids.count
        let hits: [IVFHit]
        do {
            hits = try wanted.withUnsafeBufferPointer { (wanted) throws(StrataError) -> [IVFHit] in
                try index.search(query, k: depth, probes: probes, rescoreCandidates: rescoreCandidates, promotes: only == nil) { id in
                    let slot = Int(id >> 48)
                    return slot < wanted.count && wanted[slot] && (only?.contains(id) ?? true)
                }
            }
        } catch {
            fail(error.message)
            return nil
        }
        return placement.withLock { p in
            hits.compactMap { hit in p.refs[hit.id].map { (Self.slot(of: hit.id), $0, hit.score) } }
        }
    }

    /// The chunk reference of `id` (a torn list's rebuild looks its vector up by it).
    func chunkRef(of id: UInt64) -> ChunkRef? { placement.withLock { $0.refs[id] } }

    /// What status reports: the phase and, when ready, the tiers' counters.
    var status: (phase: String, vectors: Int, counters: IVFTierCounters?) {
        switch phase.withLock({ $0 }) {
        case .building: ("building", 0, nil)
        case .ready(let index): ("ready", index.count, index.counters)
        case .failed(let reason): ("failed: \(reason)", 0, nil)
        }
    }
}
