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
        var moved: [(ContentHash, BlobLocation)] = []
        var dropped: [ContentHash] = []
        for (key, body) in memtable.sorted(by: { $0.key < $1.key }) {
            guard let entry = index.blobs[key], entry.location == .memtable else { continue }
            if entry.refCount > 0 {
                moved.append((key, builder.addBody(namespace: entry.namespace, hash: entry.hash, tokenCount: entry.tokenCount, body: body)))
            } else {
                dropped.append(key)
            }
        }
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
        for (key, location) in moved { index.relocate(key, to: location) }
        index.removeBlobs(dropped)
        memtable.removeAll(keepingCapacity: true)
        metaSinceFlush.removeAll(keepingCapacity: true)
        flushes += 1
        if shouldCompactLocked() { try? compactLocked() }
    }

    /// Dead bytes (bodies no document references) and total bytes over all segments.
    func segmentGarbageLocked() -> (dead: Int, total: Int) {
        let total = segments.values.reduce(0) { $0 + $1.fileSize }
        var live = 0
        for entry in index.blobs.values where entry.refCount > 0 {
            if case .segment(_, _, let length, _) = entry.location { live += length }
        }
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

    /// Rewrites all segments into one holding only referenced bodies (blocks copied verbatim,
    /// each verified on the way) and a snapshot of the document table. Requires an empty
    /// memtable, which `flushLocked` guarantees.
    func compactLocked() throws(StrataError) {
        guard memtable.isEmpty, metaSinceFlush.isEmpty, !segments.isEmpty else { return }
        let id = manifest.nextSegmentID
        let builder = SegmentBuilder(id: id, version: Self.formatVersion, compressor: compressor)
        var moved: [(ContentHash, BlobLocation)] = []
        for (key, entry) in index.blobs.sorted(by: { $0.key < $1.key }) where entry.refCount > 0 {
            guard case .segment(let sid, let offset, let length, let crc) = entry.location, let source = segments[sid] else { continue }
            let block = try source.readBlock(offset: offset, length: length, crc: crc)
            moved.append((key, builder.addRawBlock(namespace: entry.namespace, hash: entry.hash, tokenCount: entry.tokenCount,
                                                   textBytes: entry.textBytes, vectorDimension: entry.vectorDimension, block: block, crc: crc)))
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
        for (key, location) in moved { index.relocate(key, to: location) }
        index.dropUnreferencedBlobs()
        compactions += 1
    }
}
