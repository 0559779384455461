import StrataCore

extension PersistentTier {
    /// Moves the memtable into a new segment and starts a new WAL file. Public so that tests
    /// and tools can force it; it also runs by itself past `walFlushBytes`.
    public func flush() throws(StrataError) {
        state.lock()
        defer { state.unlock() }
        try checkOpenLocked()
        try flushLocked()
    }

    /// Order matters for crash safety: new WAL, then segment (atomic), then manifest
    /// (atomic; the switch point), then the old WAL is deleted. A crash anywhere leaves a
    /// state `open` repairs by the `RecoveryRules` (orphan segment or covered WAL removed).
    func flushLocked() throws(StrataError) {
        try syncAndApplyPendingLocked()
        guard !metaSinceFlush.isEmpty || !memtable.isEmpty else { return }
        let oldWAL = wal
        let newWAL = try WALWriter.create(fs: fs, directory: directory, number: oldWAL.number + 1, version: Self.formatVersion)
        let id = manifest.nextSegmentID
        let builder = SegmentBuilder(id: id, version: Self.formatVersion, compressor: compressor)
        // Document order, so a document's chunks share blocks (better compression, and a
        // scan of a document decompresses each block once).
        var added = Set<ContentHash>()
        for record in metaSinceFlush {
            guard case .put(let doc, let chunks) = record.operation else { continue }
            for chunk in chunks {
                let key = chunk.hash.cacheKeyIn(doc.namespace)
                guard let entry = index.blobs[key], entry.location == .memtable, entry.refCount > 0,
                      let body = memtable[key], added.insert(key).inserted else { continue }
                builder.addBody(namespace: entry.namespace, hash: entry.hash, tokenCount: entry.tokenCount, body: body)
            }
        }
        let dropped = memtable.keys.filter { !added.contains($0) }
        let bytes = builder.finish(meta: metaSinceFlush, sequences: index.slotSequences)
        var next = manifest
        next.segments.append(id)
        next.nextSegmentID = id + 1
        next.walFirst = newWAL.number
        let segment: SegmentFile
        do throws(StrataError) {
            try AtomicFile.write(bytes, to: SegmentFormat.fileName(id), in: directory, fs: fs)
            segment = try SegmentFile(fs: fs, path: StorePath.join(directory, SegmentFormat.fileName(id)), id: id, version: Self.formatVersion)
            do throws(StrataError) {
                try AtomicFile.write(next.encoded(), to: Manifest.fileName, in: directory, fs: fs)
            } catch {
                segment.close()
                throw error
            }
        } catch {
            try? fs.remove(StorePath.join(directory, SegmentFormat.fileName(id)))
            newWAL.close()
            throw error
        }
        manifest = next
        segments[id] = segment
        wal = newWAL
        oldWAL.close()
        try? fs.remove(oldWAL.path)
        for e in builder.entries { index.relocate(e.hash.cacheKeyIn(e.namespace), to: .segment(id: id, block: e.block)) }
        index.removeBlobs(dropped)
        memtable.removeAll(keepingCapacity: true)
        metaSinceFlush.removeAll(keepingCapacity: true)
        flushes += 1
        if shouldCompactLocked() { try? compactLocked() }
    }

    /// Raw (uncompressed) bytes of bodies no document references, and of all bodies, over
    /// all segments.
    func segmentGarbageLocked() -> (dead: Int, total: Int) {
        let total = segments.values.reduce(0) { $0 + $1.rawBodyBytes }
        var live = 0
        for entry in index.blobs.values where entry.refCount > 0 && entry.segmentID != nil { live += entry.rawBytes }
        return (max(0, total - live), total)
    }

    func shouldCompactLocked() -> Bool {
        if segments.count > settings.compactionMaxSegments { return true }
        let (dead, total) = segmentGarbageLocked()
        return total > 0 && Double(dead) / Double(total) > settings.compactionGarbageRatio
    }

    /// Runs a full compaction now (flushing first).
    public func compact() throws(StrataError) {
        state.lock()
        defer { state.unlock() }
        try checkOpenLocked()
        try flushLocked()
        try compactLocked()
    }

    /// Rewrites all segments into one holding only referenced bodies and a snapshot of the
    /// document table. Requires an empty
    /// memtable, which `flushLocked` guarantees.
    func compactLocked() throws(StrataError) {
        guard memtable.isEmpty, metaSinceFlush.isEmpty, !segments.isEmpty else { return }
        let id = manifest.nextSegmentID
        let builder = SegmentBuilder(id: id, version: Self.formatVersion, compressor: compressor)
        // Live bodies in document order; each is read back (checksum verified) and recompressed
        // in new blocks, so blocks holding dead bodies are not carried over.
        var added = Set<ContentHash>()
        let documents = index.documents.sorted { ($0.value.slot, $0.key.namespace, $0.key.documentID) < ($1.value.slot, $1.key.namespace, $1.key.documentID) }
        for (doc, state) in documents {
            for chunk in state.chunks {
                let key = chunk.hash.cacheKeyIn(doc.namespace)
                guard let entry = index.blobs[key], entry.refCount > 0, added.insert(key).inserted,
                      case .segment(let sid, let block) = entry.location, let source = segments[sid] else { continue }
                let body = try source.readBody(block, textBytes: entry.textBytes, vectorDimension: entry.vectorDimension, pool: pool)
                builder.addBody(namespace: entry.namespace, hash: entry.hash, tokenCount: entry.tokenCount, body: body)
            }
        }
        let bytes = builder.finish(meta: index.snapshotRecords(), sequences: index.slotSequences)
        var next = manifest
        next.segments = [id]
        next.nextSegmentID = id + 1
        let segment: SegmentFile
        do throws(StrataError) {
            try AtomicFile.write(bytes, to: SegmentFormat.fileName(id), in: directory, fs: fs)
            segment = try SegmentFile(fs: fs, path: StorePath.join(directory, SegmentFormat.fileName(id)), id: id, version: Self.formatVersion)
            try AtomicFile.write(next.encoded(), to: Manifest.fileName, in: directory, fs: fs)
        } catch {
            try? fs.remove(StorePath.join(directory, SegmentFormat.fileName(id)))
            throw error
        }
        manifest = next
        let old = segments
        segments = [id: segment]
        // Old segment files are not closed here: a reader outside the lock may still hold one;
        // the descriptor closes when the last reference goes.
        for sid in old.keys {
            try? fs.remove(StorePath.join(directory, SegmentFormat.fileName(sid)))
        }
        for e in builder.entries { index.relocate(e.hash.cacheKeyIn(e.namespace), to: .segment(id: id, block: e.block)) }
        index.dropUnreferencedBlobs()
        compactions += 1
    }
}
