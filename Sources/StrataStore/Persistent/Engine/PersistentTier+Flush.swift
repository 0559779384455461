import Foundation
import StrataCore

/// Flushing and compaction ("maintenance"). At most one runs at a time (`maintenanceRunning`).
///
/// Both follow the same pattern so that writers are not stalled while megabytes are
/// compressed and written: a short step under the lock takes a snapshot, the segment is
/// built and written outside the lock, and a short step under the lock switches the
/// manifest and fixes up the index for whatever changed meanwhile.
///
/// Crash safety comes from the order of durable steps: new WAL, then segment (atomic), then
/// manifest (atomic; the switch point), then old files are deleted. A crash anywhere leaves
/// a state `open` repairs by the `RecoveryRules` (orphan segment or covered WAL removed).
extension PersistentTier {
    /// What a flush took from the engine under the lock.
    struct FlushJob {
        var id: UInt64
        var meta: [MetaRecord]
        var sequences: [UInt32: UInt64]
        /// Live bodies in document order (written), and every body taken (for the fix-up).
        var ordered: [(key: ContentHash, entry: BlobEntry, body: ChunkBody)]
        var taken: ContentHashTable<ChunkBody>
        var newWALNumber: UInt64
    }

    /// Flushes the memtable into a new segment now (waiting for a running flush or
    /// compaction first), then compacts if thresholds say so. It also runs by itself, in the
    /// background, once the WAL passes `walFlushBytes`.
    public func flush() throws(StrataError) {
        state.lock()
        defer { state.unlock() }
        try checkOpenLocked()
        while locked.maintenanceRunning { state.wait() }
        try flushLocked()
        // The flush succeeded; a failed compaction leaves valid segments and is retried later.
        if shouldCompactLocked(), (try? compactLocked()) == nil { locked.maintenanceErrors += 1 }
    }

    /// Waits until no flush or compaction is running (tests stop background work before
    /// simulating a crash; `close` does the same).
    func waitForMaintenance() {
        state.lock()
        defer { state.unlock() }
        while locked.maintenanceRunning { state.wait() }
    }

    /// Runs a full compaction now (flushing first).
    public func compact() throws(StrataError) {
        state.lock()
        defer { state.unlock() }
        try checkOpenLocked()
        while locked.maintenanceRunning { state.wait() }
        try flushLocked()
        try compactLocked()
    }

    /// Starts a background flush when the WAL is past its threshold and none is running.
    func scheduleFlushIfNeededLocked() {
        guard !locked.maintenanceRunning, !locked.closed, locked.poisoned == nil, locked.walEnd >= settings.walFlushBytes else { return }
        guard settings.backgroundMaintenance else {
            // Inline (deterministic, for simulations): the batch is durable already, so a
            // failed flush must not turn its acknowledgement into an error.
            if (try? flushLocked()) == nil { locked.maintenanceErrors += 1; return }
            if shouldCompactLocked(), (try? compactLocked()) == nil { locked.maintenanceErrors += 1 }
            return
        }
        locked.maintenanceRunning = true
        let job: FlushJob?
        do throws(StrataError) { job = try beginFlushLocked() } catch {
            locked.maintenanceRunning = false
            locked.maintenanceErrors += 1
            return
        }
        guard let job else { locked.maintenanceRunning = false; return }
        Thread.detachNewThread { [self] in
            let built = buildFlushSegment(job, background: true)
            state.lock()
            defer {
                locked.maintenanceRunning = false
                state.broadcast()
                state.unlock()
            }
            guard (try? finishFlushLocked(job, built: built)) != nil else {
                locked.maintenanceErrors += 1
                return
            }
            if shouldCompactLocked(), (try? compactLocked(background: true)) == nil { locked.maintenanceErrors += 1 }
        }
    }

    /// A flush from start to end on the caller's thread (the caller holds the lock and has
    /// made sure no maintenance is running; the lock is released while the segment is built).
    func flushLocked() throws(StrataError) {
        locked.maintenanceRunning = true
        defer {
            locked.maintenanceRunning = false
            state.broadcast()
        }
        guard let job = try beginFlushLocked() else { return }
        state.unlock()
        let built = buildFlushSegment(job)
        state.lock()
        try finishFlushLocked(job, built: built)
    }

    /// Under the lock: makes everything durable and applied, rotates the WAL, and moves the
    /// memtable aside (`immutable`, still served to readers) for the segment build.
    func beginFlushLocked() throws(StrataError) -> FlushJob? {
        try syncAndApplyPendingLocked()
        guard !locked.metaSinceFlush.isEmpty || !locked.memtable.isEmpty else { return nil }
        let newWAL = try WALWriter.create(fs: fs, directory: directory, number: locked.wal.number + 1, version: Self.formatVersion)
        // In the order a worker reads a slot back when it rebuilds its search index (slot, then
        // namespace and document id, as compaction writes): a document's chunks share blocks
        // (better compression), and reading a slot decompresses each block once instead of
        // once per chunk (segments keep the last block read).
        let puts = locked.metaSinceFlush.filter { if case .put = $0.operation { true } else { false } }.sorted { a, b in
            guard case .put(let x, _, _) = a.operation, case .put(let y, _, _) = b.operation else { return false }
            return (a.slot, x.namespace, x.documentID) < (b.slot, y.namespace, y.documentID)
        }
        var ordered: [(key: ContentHash, entry: BlobEntry, body: ChunkBody)] = []
        var added = ContentHashTable<Void>()
        ordered.reserveCapacity(locked.memtable.count)
        added.reserveCapacity(locked.memtable.count)
        var keys = NamespaceKeyCache()
        for record in puts {
            guard case .put(let doc, let chunks, _) = record.operation else { continue }
            for chunk in chunks {
                let key = keys.key(namespace: doc.namespace, text: chunk.hash)
                guard let entry = locked.index.blobs[key], entry.location == .memtable, entry.refCount > 0,
                      let body = locked.memtable[key], added.insert(key) else { continue }
                ordered.append((key, entry, body))
            }
        }
        let job = FlushJob(id: locked.manifest.nextSegmentID, meta: locked.metaSinceFlush, sequences: locked.index.slotSequences,
                           ordered: ordered, taken: locked.memtable, newWALNumber: newWAL.number)
        locked.retiredWALs.append(locked.wal)
        locked.wal = newWAL
        locked.walEnd = newWAL.endOffset
        locked.immutable = locked.memtable
        // The next memtable fills to about the same size: sized once instead of regrown.
        locked.memtable = ContentHashTable(minimumCapacity: locked.memtable.count)
        locked.metaSinceFlush = []
        return job
    }

    /// The zstd contexts a segment build compresses on. A background build leaves one core
    /// to the writers (on 2 cores, compressing on both stalled ingest by a third); a build
    /// the caller waits for (an explicit flush or compaction) uses them all.
    func compressors(background: Bool) -> [ZstdCompressor] {
        background ? Array(compressors.prefix(max(1, compressors.count - 1))) : compressors
    }

    /// Outside the lock: compresses and writes the segment atomically, then opens it.
    func buildFlushSegment(_ job: FlushJob, background: Bool = false) -> Result<SegmentFile, StrataError> {
        let builder = SegmentBuilder(id: job.id, version: Self.formatVersion, compressors: compressors(background: background))
        return writeSegment(id: job.id, builder: builder, meta: job.meta, sequences: job.sequences) { (sink) throws(StrataError) in
            for item in job.ordered {
                builder.addBody(namespace: item.entry.namespace, hash: item.entry.hash, tokenCount: item.entry.tokenCount, body: item.body)
                try builder.drainIfLarge(to: sink)
            }
        }
    }

    /// Streams a segment to disk atomically (`SegmentFileWriter`): `addBodies` adds the bodies
    /// (draining the builder into the sink as it goes), then meta and footer follow.
    func writeSegment(id: UInt64, builder: SegmentBuilder, meta: [MetaRecord], sequences: [UInt32: UInt64],
                      addBodies: (SegmentFileWriter) throws(StrataError) -> Void) -> Result<SegmentFile, StrataError> {
        let name = SegmentFormat.fileName(id)
        do throws(StrataError) {
            let sink = try SegmentFileWriter(fs: fs, directory: directory, name: name)
            do throws(StrataError) {
                try addBodies(sink)
                builder.finish(meta: meta, sequences: sequences)
                try builder.drain(to: sink)
            } catch {
                sink.abandon()
                throw error
            }
            let size = try sink.finish()
            return .success(try SegmentFile(justWritten: sink.path, id: id, fs: fs, size: size,
                                            entries: builder.entries, meta: meta, sequences: sequences))
        } catch {
            try? fs.remove(StorePath.join(directory, name))
            return .failure(error)
        }
    }

    /// Under the lock: switches the manifest and fixes up the index, or, when anything
    /// failed, puts the memtable back together (the WAL files still hold everything).
    func finishFlushLocked(_ job: FlushJob, built: Result<SegmentFile, StrataError>) throws(StrataError) {
        var next = locked.manifest
        next.segments.append(job.id)
        next.nextSegmentID = job.id + 1
        next.walFirst = job.newWALNumber
        let segment: SegmentFile
        do throws(StrataError) {
            segment = try built.get()
            try AtomicFile.write(next.encoded(), to: Manifest.fileName, in: directory, fs: fs)
        } catch {
            if case .success(let s) = built { try? fs.remove(s.path) }
            rollbackFlushLocked(job)
            throw error
        }
        locked.manifest = next
        locked.segments[job.id] = segment
        var keys = NamespaceKeyCache()
        for e in segment.entries {
            let key = keys.key(namespace: e.namespace, text: e.hash)
            if locked.index.blobs[key]?.location == .memtable, locked.memtable[key] == nil { locked.index.relocate(key, to: .segment(id: job.id, block: e.block)) }
        }
        // Bodies not written because they were dead when the flush began may have been
        // referenced again since; their text is in the new WAL, and the memtable keeps them.
        var dropped: [ContentHash] = []
        for (key, body) in job.taken where locked.index.blobs[key]?.location == .memtable {
            if (locked.index.blobs[key]?.refCount ?? 0) > 0 { locked.memtable[key] = locked.memtable[key] ?? body } else { dropped.append(key) }
        }
        locked.index.removeBlobs(dropped)
        locked.immutable = ContentHashTable()
        for old in locked.retiredWALs {
            old.close()
            try? fs.remove(old.path)
        }
        locked.retiredWALs = []
        locked.flushes += 1
    }

    private func rollbackFlushLocked(_ job: FlushJob) {
        for (key, body) in job.taken where locked.memtable[key] == nil { locked.memtable[key] = body }
        locked.metaSinceFlush = job.meta + locked.metaSinceFlush
        locked.immutable = ContentHashTable()
        // The retired WAL files stay: the manifest still points before them, so they replay.
    }

    /// Raw (uncompressed) bytes of bodies no document references, and of all bodies, over
    /// all segments.
    func segmentGarbageLocked() -> (dead: Int, total: Int) {
        let total = locked.segments.values.reduce(0) { $0 + $1.rawBodyBytes }
        var live = 0
        for entry in locked.index.blobs.values where entry.refCount > 0 && entry.segmentID != nil { live += entry.rawBytes }
        return (max(0, total - live), total)
    }

    func shouldCompactLocked() -> Bool {
        if locked.segments.count > settings.compactionMaxSegments { return true }
        let (dead, total) = segmentGarbageLocked()
        return total > 0 && Double(dead) / Double(total) > settings.compactionGarbageRatio
    }

    /// Rewrites all segments into one holding only the bodies their documents reference and
    /// a snapshot of their document table. The snapshot is what the segments alone say
    /// (replayed from their meta records), so writes in the memtable meanwhile don't matter;
    /// the fix-up afterwards keeps any body such a write brought back to life. The caller
    /// holds the lock; it is released while the new segment is built.
    func compactLocked(background: Bool = false) throws(StrataError) {
        guard !locked.segments.isEmpty else { return }
        locked.maintenanceRunning = true
        defer {
            locked.maintenanceRunning = false
            state.broadcast()
        }
        let sources = locked.segments
        let id = locked.manifest.nextSegmentID
        state.unlock()
        let built = buildCompactedSegment(sources, id: id, background: background)
        state.lock()
        let segment = try built.get()
        var next = locked.manifest
        next.segments = [id]
        next.nextSegmentID = id + 1
        do throws(StrataError) {
            try AtomicFile.write(next.encoded(), to: Manifest.fileName, in: directory, fs: fs)
        } catch {
            try? fs.remove(segment.path)
            throw error
        }
        locked.manifest = next
        locked.segments = [id: segment]
        var placed = ContentHashTable<Void>()
        var keys = NamespaceKeyCache()
        for e in segment.entries {
            let key = keys.key(namespace: e.namespace, text: e.hash)
            placed.insert(key)
            if locked.index.blobs[key]?.segmentID != nil { locked.index.relocate(key, to: .segment(id: id, block: e.block)) }
        }
        var dropped: [ContentHash] = []
        for (key, entry) in locked.index.blobs where !placed.contains(key) {
            guard case .segment(let sid, let block) = entry.location, let source = sources[sid] else { continue }
            if entry.refCount > 0, let body = try? source.readBody(block, textBytes: entry.textBytes, vectorDimension: entry.vectorDimension, pool: pool) {
                // Dead in the segments' own view but referenced by a write since: its text
                // is in the WAL, so the memtable takes it until the next flush.
                locked.memtable[key] = body
                locked.index.relocate(key, to: .memtable)
            } else {
                dropped.append(key)
            }
        }
        locked.index.forgetBlobs(dropped)
        // Old segment files are not closed here: a reader outside the lock may still hold one;
        // the descriptor closes when the last reference goes.
        for sid in sources.keys { try? fs.remove(StorePath.join(directory, SegmentFormat.fileName(sid))) }
        locked.compactions += 1
    }

    /// Outside the lock: replays the segments' meta into a private index and writes its
    /// live bodies (each read back with its checksum verified) and snapshot.
    func buildCompactedSegment(_ sources: [UInt64: SegmentFile], id: UInt64, background: Bool = false) -> Result<SegmentFile, StrataError> {
        var view = PersistentIndex()
        for (sid, segment) in sources.sorted(by: { $0.key < $1.key }) {
            for e in segment.entries {
                view.registerBlob(BlobEntry(namespace: e.namespace, hash: e.hash, tokenCount: e.tokenCount, textBytes: e.textBytes,
                                            vectorDimension: e.vectorDimension, refCount: 0, location: .segment(id: sid, block: e.block)))
            }
            for record in segment.meta { view.apply(record) }
            for (slot, seq) in segment.sequences { view.raiseSequence(of: slot, to: seq) }
        }
        let builder = SegmentBuilder(id: id, version: Self.formatVersion, compressors: compressors(background: background))
        var added = ContentHashTable<Void>()
        let documents = view.documents.sorted { ($0.value.slot, $0.key.namespace, $0.key.documentID) < ($1.value.slot, $1.key.namespace, $1.key.documentID) }
        let snapshot = view.snapshotRecords()
        let pool = self.pool
        var keys = NamespaceKeyCache()
        return writeSegment(id: id, builder: builder, meta: snapshot, sequences: view.slotSequences) { (sink) throws(StrataError) in
            for (doc, state) in documents {
                for chunk in state.chunks {
                    let key = keys.key(namespace: doc.namespace, text: chunk.hash)
                    guard let entry = view.blobs[key], entry.refCount > 0, added.insert(key),
                          case .segment(let sid, let block) = entry.location, let source = sources[sid] else { continue }
                    let body = try source.readBody(block, textBytes: entry.textBytes, vectorDimension: entry.vectorDimension, pool: pool)
                    builder.addBody(namespace: entry.namespace, hash: entry.hash, tokenCount: entry.tokenCount, body: body)
                    try builder.drainIfLarge(to: sink)
                }
            }
        }
    }
}
