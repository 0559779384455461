import Dispatch
import StrataCore
import Synchronization

/// An `IVFIndex` whose lists are the unit of tiering: every list lies in its own checksummed
/// file under `directory` (the persistent tier), and memory holds only the lists queries use,
/// up to a byte budget (`IVFPartitionCache`: LRU, promoted on use). A query reads each probed
/// list from memory, or loads it from disk and promotes it. Memory also holds the centroids and
/// where each id lies (list, row): about 20 bytes per vector, the price of deletes by id.
///
/// Recovery rules, per list on load:
///
/// | file                                          | action                                    |
/// |-----------------------------------------------|-------------------------------------------|
/// | intact, this generation, these centroids      | used                                      |
/// | missing, torn, flipped, other generation/set  | rebuilt from `vectorSource`, rewritten    |
///
/// A rebuilt list holds exactly the ids the index places in it, with the vectors the source
/// gives now; the index never serves a list it could not verify.
///
/// Writes: each upsert or remove makes the touched lists' next generation in memory. With
/// `writeBackBytes` 0 their files are rewritten before the call returns; above 0 changed lists
/// are held (and served) until their bytes pass it, then written back on a queue of the
/// index's own (and at `flush()`). A crash loses only files, never answers: the owner (a
/// worker) checks every list file against its source of truth when it starts.
///
/// Thread safety: one mutex over the placement, generations and cache, never held for disk
/// I/O: reads of a missed list and write-backs happen outside it (a write-back takes the
/// changed lists under it, writes them, then forgets those not changed again meanwhile), so a
/// write-back's fsyncs block neither queries nor the writers that call `upsert` (a worker's
/// ingest handlers, on the cooperative pool). List files are written by one serial queue, in
/// generation order.
public final class IVFTieredIndex: Sendable {
    /// The vector of an id as the source of truth holds it now (nil: it has none any more).
    public typealias VectorSource = @Sendable (UInt64) -> [Float]?

    struct State: Sendable {
        var locations: [UInt64: (list: Int32, row: Int32)] = [:]
        var generations: [UInt64]
        var cache: IVFPartitionCache
        var rebuiltLists: UInt64 = 0
        /// Lists changed since their files were last written (write-back), and their bytes.
        var dirty: [Int: IVFList] = [:]
        var dirtyBytes = 0
        /// A write-back is queued or running: the next one waits for it to end.
        var writingBack = false
        /// Write-backs that failed (their lists stay changed in memory and are tried again).
        var failedWriteBacks: UInt64 = 0
    }

    /// Bytes of changed lists held before they are written back (0: every change is written
    /// at once). A worker batches: under a stream of small writes each list file is then
    /// rewritten once per flush, not once per document.
    let writeBackBytes: Int

    public let centroids: IVFCentroids
    public let metric: VectorMetric
    public let directory: String
    let fs: any StoreFileSystem
    let centroidDigest: UInt64
    let vectorSource: VectorSource
    let state: Mutex<State>
    /// Writes list files in order (write-backs and `flush`).
    private let writeQueue = DispatchQueue(label: "strata.ivf.write-back")

    /// Writes every list of `index` under `directory` (which must exist) and serves them with a
    /// memory tier of `cacheBytes`, empty at first.
    public init(writing index: IVFIndex, directory: String, cacheBytes: Int, fs: any StoreFileSystem = PosixFileSystem(),
                vectorSource: @escaping VectorSource) throws(StrataError) {
        centroids = index.centroids
        metric = index.metric
        self.directory = directory
        self.fs = fs
        centroidDigest = index.centroids.digest
        self.vectorSource = vectorSource
        writeBackBytes = 0
        for (number, list) in index.lists.enumerated() {
            try list.write(list: number, generation: 1, centroidDigest: centroidDigest, in: directory, fs: fs)
        }
        state = Mutex(State(locations: index.locations, generations: [UInt64](repeating: 1, count: index.lists.count),
                            cache: IVFPartitionCache(budgetBytes: cacheBytes)))
    }

    /// Serves lists already on disk under `directory`, list `n` at `generations[n]` (a
    /// worker's build wrote or verified each), with `locations` placing every live id; the
    /// memory tier starts empty.
    init(centroids: IVFCentroids, metric: VectorMetric, directory: String, generations: [UInt64],
         locations: [UInt64: (list: Int32, row: Int32)], cacheBytes: Int, writeBackBytes: Int = 0, fs: any StoreFileSystem,
         vectorSource: @escaping VectorSource) {
        self.writeBackBytes = max(writeBackBytes, 0)
        self.centroids = centroids
        self.metric = metric
        self.directory = directory
        self.fs = fs
        centroidDigest = centroids.digest
        self.vectorSource = vectorSource
        state = Mutex(State(locations: locations, generations: generations, cache: IVFPartitionCache(budgetBytes: cacheBytes)))
    }

    public var counters: IVFTierCounters {
        state.withLock { s in
            IVFTierCounters(lists: centroids.count, residentLists: s.cache.residentLists, residentBytes: s.cache.residentBytes,
                            budgetBytes: s.cache.budgetBytes, hits: s.cache.hits, misses: s.cache.misses,
                            evictions: s.cache.evictions, rebuiltLists: s.rebuiltLists,
                            failedWriteBacks: s.failedWriteBacks)
        }
    }

    /// Live vectors.
    public var count: Int { state.withLock { $0.locations.count } }

    /// Bytes held in memory besides the cached lists: centroids (FP32 and INT8) and placement.
    public var residentOverheadBytes: Int {
        centroids.values.count * 4 + centroids.rows.quantized.count + count * 20
    }

    /// As `IVFIndex.search`, reading lists through the memory tier. With `promotes` false a
    /// list read from disk is not cached (a scan of every list, for a filtered query, leaves
    /// the working set in memory as it was).
    public func search(_ query: VectorQuery, k: Int, probes: Int, rescoreCandidates: Int = 400, promotes: Bool = true,
                       admits: (UInt64) -> Bool = { _ in true }) throws(StrataError) -> [IVFHit] {
        guard query.dimension == centroids.dimension, query.metric == metric else {
            throw .invalidArgument("query.vector has \(query.dimension) dimensions (\(query.metric)), expected \(centroids.dimension) (\(metric))")
        }
        var scratch = VectorSearchScratch()
        let probed = centroids.nearest(query.prepared.exact, probes: probes, scratch: &scratch)
        return try IVFList.search(query, k: k, probed: probed, rescoreCandidates: rescoreCandidates, admits: admits,
                                  scratch: &scratch) { (number: Int) throws(StrataError) -> IVFList in try list(number, promotes: promotes) }
    }

    /// List `number` from memory, or from disk (promoted into memory unless `promotes` is
    /// false), or rebuilt.
    func list(_ number: Int, promotes: Bool = true) throws(StrataError) -> IVFList {
        let (cached, generation) = state.withLock { s in (s.cache.lookup(number) ?? s.dirty[number], s.generations[number]) }
        if let cached { return cached }
        let loaded = IVFList.read(list: number, generation: generation, centroidDigest: centroidDigest,
                                  dimension: centroids.dimension, metric: metric, in: directory, fs: fs)
        if !promotes, let loaded, state.withLock({ $0.generations[number] == generation }) { return loaded }
        return try state.withLock { (s: inout State) throws(StrataError) -> IVFList in
            // A writer may have cached a newer generation meanwhile: serve that one.
            if let current = s.cache.lookupQuietly(number) ?? s.dirty[number] { return current }
            let list: IVFList
            if let loaded, s.generations[number] == generation { list = loaded } else { list = try current(number, in: &s) }
            s.cache.insert(number, list)
            return list
        }
    }

    /// Adds or replaces vectors, rewriting each touched list once; an id given twice keeps its
    /// last vector. Validates every vector first (`invalidArgument` naming `vectors[i]`):
    /// nothing changes on bad input.
    ///
    /// `placedBy` gives the vector a list is chosen by (default: the vector itself); a worker
    /// places by the FP16 row it stores, as its build from stored rows does, so a restart finds
    /// every id in the list it was written to.
    public func upsert(_ batch: [(id: UInt64, vector: [Float])], placedBy: (([Float]) -> [Float])? = nil) throws(StrataError) {
        var last: [UInt64: Int] = [:]
        for (i, entry) in batch.enumerated() {
            try VectorValidation.validate(entry.vector, dimension: centroids.dimension, field: "vectors[\(i)]")
            last[entry.id] = i
        }
        let vectors = batch.indices.filter { last[batch[$0].id] == $0 }.map { batch[$0] }
        var scratch = VectorSearchScratch()
        let targets = vectors.map { centroids.assign(placedBy?($0.vector) ?? $0.vector, scratch: &scratch) }
        let due = try state.withLock { (s: inout State) throws(StrataError) -> WriteBack in
            var touched: [Int: IVFList] = [:]
            for id in vectors.map(\.id) {
                guard let (list, row) = s.locations.removeValue(forKey: id) else { continue }
                try take(Int(list), into: &touched, in: &s)
                touched[Int(list)]!.remove(row: Int(row))
            }
            for (entry, target) in zip(vectors, targets) {
                try take(target, into: &touched, in: &s)
                let row = touched[target]!.append(id: entry.id, vector: entry.vector)
                s.locations[entry.id] = (Int32(target), Int32(row))
            }
            return store(touched, in: &s)
        }
        try writeBack(due)
    }

    /// Removes ids (those the index does not hold are skipped), rewriting each touched list once.
    public func remove(_ ids: [UInt64]) throws(StrataError) {
        let due = try state.withLock { (s: inout State) throws(StrataError) -> WriteBack in
            var touched: [Int: IVFList] = [:]
            for id in ids {
                guard let (list, row) = s.locations.removeValue(forKey: id) else { continue }
                try take(Int(list), into: &touched, in: &s)
                touched[Int(list)]!.remove(row: Int(row))
            }
            return store(touched, in: &s)
        }
        try writeBack(due)
    }

    /// Moves the current list `n` into `touched` (once), out of the cache and the changed
    /// lists, so that `touched` holds its only reference and a change is made in place: a copy
    /// of the list's arrays per change made a journal's replay after a build quadratic
    /// (seconds under the lock at 47K vectors). `store` puts it back.
    private func take(_ n: Int, into touched: inout [Int: IVFList], in s: inout State) throws(StrataError) {
        guard touched[n] == nil else { return }
        touched[n] = try current(n, in: &s)
        s.cache.remove(n)
        if let held = s.dirty.removeValue(forKey: n) { s.dirtyBytes -= held.byteCount }
    }

    /// The current list `n` under the lock (memory, disk or rebuilt), without counting a
    /// hit or miss: the counters describe the lists queries read.
    private func current(_ n: Int, in s: inout State) throws(StrataError) -> IVFList {
        if let cached = s.cache.lookupQuietly(n) ?? s.dirty[n] { return cached }
        if let loaded = IVFList.read(list: n, generation: s.generations[n], centroidDigest: centroidDigest,
                                     dimension: centroids.dimension, metric: metric, in: directory, fs: fs) {
            return loaded
        }
        return try rebuild(n, in: &s)
    }

    /// Makes the touched lists (compacted where tombstones dominate) their next generation,
    /// re-points their ids and caches them; says whether their files are to be written now.
    private func store(_ touched: [Int: IVFList], in s: inout State) -> WriteBack {
        for (n, list) in touched {
            let written = list.needsCompaction ? list.compacted() : list
            s.generations[n] += 1
            if written.ids.count != list.ids.count {
                for (row, id) in written.ids.enumerated() where written.vectors.present[row] { s.locations[id] = (Int32(n), Int32(row)) }
            }
            s.dirtyBytes += written.byteCount  // `take` took it out of `dirty`
            s.dirty[n] = written
            s.cache.insert(n, written)
        }
        if writeBackBytes == 0 { return .now }
        guard s.dirtyBytes > writeBackBytes, !s.writingBack else { return .notYet }
        s.writingBack = true
        return .queued
    }

    /// When a change's list files are written: before the call returns (`writeBackBytes` 0),
    /// by the write queue (the held changes passed `writeBackBytes`), or later.
    enum WriteBack { case now, queued, notYet }

    /// Called after the state lock is released.
    private func writeBack(_ due: WriteBack) throws(StrataError) {
        switch due {
        case .now: try flush()
        case .queued:
            writeQueue.async { [self] in
                do throws(StrataError) { try writeChanged() } catch {
                    state.withLock { $0.failedWriteBacks += 1 }
                }
                state.withLock { $0.writingBack = false }
            }
        case .notYet: break
        }
    }

    /// Writes every changed list's file at its current generation, outside the state lock;
    /// forgets the changes that were not changed again meanwhile. Runs on `writeQueue`.
    private func writeChanged() throws(StrataError) {
        let changed = state.withLock { s in s.dirty.sorted { $0.key < $1.key }.map { (n: $0.key, list: $0.value, generation: s.generations[$0.key]) } }
        var written: [(n: Int, generation: UInt64)] = []
        defer {
            state.withLock { s in
                for (n, generation) in written where s.generations[n] == generation {
                    if let list = s.dirty.removeValue(forKey: n) { s.dirtyBytes -= list.byteCount }
                }
            }
        }
        for (n, list, generation) in changed {
            try list.write(list: n, generation: generation, centroidDigest: centroidDigest, in: directory, fs: fs)
            written.append((n, generation))
        }
    }

    /// Writes back the lists changed since their files were written (a worker's shutdown),
    /// after any write-back already queued.
    public func flush() throws(StrataError) {
        let result: Result<Void, StrataError> = writeQueue.sync {
            do throws(StrataError) { try writeChanged(); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// List `n` rebuilt from the source of truth: the ids placed in it, their vectors now.
    private func rebuild(_ n: Int, in s: inout State) throws(StrataError) -> IVFList {
        var list = IVFList(dimension: centroids.dimension, metric: metric)
        let members = s.locations.filter { $0.value.list == Int32(n) }.map(\.key).sorted()
        for id in members {
            guard let vector = vectorSource(id) else {
                s.locations[id] = nil
                continue
            }
            try VectorValidation.validate(vector, dimension: centroids.dimension, field: "ivf rebuild of id \(id)")
            s.locations[id] = (Int32(n), Int32(list.append(id: id, vector: vector)))
        }
        try list.write(list: n, generation: s.generations[n] + 1, centroidDigest: centroidDigest, in: directory, fs: fs)
        s.generations[n] += 1
        s.rebuiltLists += 1
        s.cache.insert(n, list)
        return list
    }
}
