import StrataCore

extension PersistentTier {
    static let quarantineDirectory = "quarantine"

    /// Opens (or creates) the store in `directory`, applying `RecoveryRules`: the recovery
    /// steps below in order, each named after what it restores.
    public static func open(directory: String, settings: PersistentSettings = .default,
                            fileSystem: any StoreFileSystem = PosixFileSystem()) throws(StrataError) -> PersistentTier {
        try settings.validate()
        let fs = fileSystem
        try fs.createDirectory(directory)
        var report = RecoveryReport()
        let names = try fs.list(directory)
        try removeTemporaryFiles(names, directory: directory, fs: fs, report: &report)
        var manifest = try loadOrCreateManifest(names, directory: directory, fs: fs, report: &report)
        let walNumbers = try removeLeftovers(names, of: manifest, directory: directory, fs: fs, report: &report)
        var loaded = try loadSegments(manifest, directory: directory, settings: settings, fs: fs, report: &report)
        let replayed = try replayWAL(walNumbers, into: &loaded.index, directory: directory, fs: fs, report: &report)

        if report.repaired || loaded.kept.count != manifest.segments.count {
            manifest.segments = loaded.kept
            manifest.epoch = UInt64.random(in: 1...UInt64.max)
            try AtomicFile.write(manifest.encoded(), to: Manifest.fileName, in: directory, fs: fs)
        }

        let wal: WALWriter
        if let last = replayed.lastWAL {
            wal = try WALWriter.reopen(fs: fs, directory: directory, number: last.number, validEnd: last.end)
        } else {
            wal = try WALWriter.create(fs: fs, directory: directory, number: manifest.walFirst, version: formatVersion)
        }
        let tier = PersistentTier(fs: fs, directory: directory, settings: settings, wal: wal, manifest: manifest)
        tier.locked.index = loaded.index
        tier.locked.segments = loaded.segments
        tier.locked.memtable = replayed.memtable
        tier.locked.metaSinceFlush = replayed.metaSinceFlush
        tier.locked.acceptedSequences = loaded.index.slotSequences
        tier.locked.acceptedDimensions = loaded.index.namespaceDimensions
        tier.recoveryReport = report
        return tier
    }

    /// Step 1: temp files of interrupted atomic writes are removed.
    private static func removeTemporaryFiles(_ names: [String], directory: String, fs: any StoreFileSystem,
                                             report: inout RecoveryReport) throws(StrataError) {
        for name in names where name.hasSuffix(".tmp") {
            try fs.remove(StorePath.join(directory, name))
            report.removedLeftovers.append(name)
        }
    }

    /// Step 2: the MANIFEST is read, or written for a new store; store files without one are
    /// refused rather than guessed at.
    private static func loadOrCreateManifest(_ names: [String], directory: String, fs: any StoreFileSystem,
                                             report: inout RecoveryReport) throws(StrataError) -> Manifest {
        let manifestPath = StorePath.join(directory, Manifest.fileName)
        if names.contains(Manifest.fileName) {
            let file = try fs.open(manifestPath, create: false)
            defer { file.close() }
            return try Manifest.decode(try file.readAll(), path: manifestPath, expectedVersion: formatVersion)
        }
        let stray = names.filter { $0.hasPrefix("wal-") || $0.hasPrefix("seg-") }
        guard stray.isEmpty else {
            throw .dataLoss("\(directory) holds \(stray.count) store files but no MANIFEST; refusing to guess which are live")
        }
        let manifest = Manifest(formatVersion: formatVersion, epoch: UInt64.random(in: 1...UInt64.max), walFirst: 1, nextSegmentID: 1, segments: [])
        try AtomicFile.write(manifest.encoded(), to: Manifest.fileName, in: directory, fs: fs)
        report.createdFresh = true
        return manifest
    }

    /// Step 3: leftovers of interrupted flushes and compactions (segments the manifest does not
    /// list, WAL files before its first) are removed. Returns the live WAL numbers, in order.
    private static func removeLeftovers(_ names: [String], of manifest: Manifest, directory: String, fs: any StoreFileSystem,
                                        report: inout RecoveryReport) throws(StrataError) -> [UInt64] {
        let live = Set(manifest.segments)
        var walNumbers: [UInt64] = []
        for name in names where !name.hasSuffix(".tmp") {
            if let id = SegmentFormat.id(fromFileName: name), !live.contains(id) {
                try fs.remove(StorePath.join(directory, name))
                report.removedLeftovers.append(name)
            } else if let n = walNumber(name) {
                if n < manifest.walFirst {
                    try fs.remove(StorePath.join(directory, name))
                    report.removedLeftovers.append(name)
                } else {
                    walNumbers.append(n)
                }
            }
        }
        return walNumbers.sorted()
    }

    /// Step 4: every listed segment is opened (and verified when configured) into the index; a
    /// damaged or missing one is quarantined and reported, not fatal.
    private static func loadSegments(_ manifest: Manifest, directory: String, settings: PersistentSettings, fs: any StoreFileSystem,
                                     report: inout RecoveryReport) throws(StrataError)
        -> (index: PersistentIndex, segments: [UInt64: SegmentFile], kept: [UInt64]) {
        var index = PersistentIndex()
        var segments: [UInt64: SegmentFile] = [:]
        var kept: [UInt64] = []
        for id in manifest.segments.sorted() {
            let name = SegmentFormat.fileName(id)
            let path = StorePath.join(directory, name)
            do throws(StrataError) {
                let segment = try SegmentFile(fs: fs, path: path, id: id, version: formatVersion)
                if settings.verifyBlocksOnOpen { try segment.verifyAllBlocks() }
                for e in segment.entries {
                    index.registerBlob(BlobEntry(namespace: e.namespace, hash: e.hash, tokenCount: e.tokenCount, textBytes: e.textBytes,
                                                 vectorDimension: e.vectorDimension, refCount: 0,
                                                 location: .segment(id: id, block: e.block)))
                }
                for record in segment.meta { index.apply(record) }
                for (slot, seq) in segment.sequences { index.raiseSequence(of: slot, to: seq) }
                segments[id] = segment
                kept.append(id)
            } catch where error.code == .dataLoss || error.code == .notFound {
                // A listed segment that is gone is reported the same way, with nothing to move.
                let movedTo = fs.exists(path) ? try quarantine(name, fs: fs, directory: directory) : ""
                report.quarantined.append(.init(segment: name, movedTo: movedTo, reason: error.message))
            }
        }
        report.segmentsLoaded = kept.count
        return (index, segments, kept)
    }

    /// Step 5: the WAL files are replayed over the segments into the memtable and the index;
    /// each file's ending is repaired first (`repairEnding`).
    private static func replayWAL(_ walNumbers: [UInt64], into index: inout PersistentIndex, directory: String, fs: any StoreFileSystem,
                                  report: inout RecoveryReport) throws(StrataError)
        -> (memtable: ContentHashTable<ChunkBody>, metaSinceFlush: [MetaRecord], lastWAL: (number: UInt64, end: Int)?) {
        var memtable = ContentHashTable<ChunkBody>()
        var metaSinceFlush: [MetaRecord] = []
        var lastWAL: (number: UInt64, end: Int)?
        for n in walNumbers {
            let name = WALWriter.fileName(n)
            let path = StorePath.join(directory, name)
            let file = try fs.open(path, create: false)
            let bytes = try file.readAll()
            let scan = try WALScan.scan(bytes, path: path, version: formatVersion)
            try repairEnding(of: file, name: name, path: path, bytes: bytes, scan: scan, directory: directory, fs: fs, report: &report)
            file.close()
            for payload in scan.payloads {
                let (slot, sequence, ops) = try RecordCoding.decodeWAL(bytes[payload])
                for op in ops {
                    if case .put(let put) = op {
                        for (chunk, body) in zip(put.chunks, put.bodies) {
                            let key = chunk.hash.cacheKeyIn(put.key.namespace)
                            if let held = index.blobs[key] {
                                // A put that gave a stored text its vector: the memtable takes the new body.
                                if PersistentIndex.upgradesBody(held, body) { memtable[key] = body }
                            } else {
                                memtable[key] = body
                            }
                            index.registerBlob(BlobEntry(namespace: put.key.namespace, hash: chunk.hash, tokenCount: chunk.tokenCount,
                                                         textBytes: body.text.count, vectorDimension: body.vector?.count ?? 0,
                                                         refCount: 0, location: .memtable))
                        }
                    }
                    let meta = op.meta(slot: slot, sequence: sequence)
                    index.apply(meta)
                    metaSinceFlush.append(meta)
                }
                index.raiseSequence(of: slot, to: sequence)
                report.walRecordsReplayed += 1
            }
            lastWAL = (n, scan.validEnd)
        }
        return (memtable, metaSinceFlush, lastWAL)
    }

    /// A WAL file's end after a crash: direct-I/O padding is trimmed, a torn last frame is
    /// copied to `quarantine/` and cut off, damage before a valid frame refuses the open
    /// (acknowledged records would be lost).
    private static func repairEnding(of file: any StoreFile, name: String, path: String, bytes: [UInt8], scan: WALScan,
                                     directory: String, fs: any StoreFileSystem, report: inout RecoveryReport) throws(StrataError) {
        switch scan.ending {
        case .clean:
            break
        case .tornTail(let offset) where WALWriter.isDirectWritePadding(bytes, from: offset):
            // What an unclean stop leaves after direct-I/O appends: zeros to the end of the
            // last 4 KiB block. No frame was cut, so no copy and no new epoch.
            try file.truncate(to: offset)
            try file.sync()
            report.walPaddingTrimmedBytes += bytes.count - offset
        case .tornTail(let offset):
            let copyName = "\(name).torn-at-\(offset)"
            try fs.createDirectory(StorePath.join(directory, quarantineDirectory))
            try AtomicFile.write(bytes, to: copyName, in: StorePath.join(directory, quarantineDirectory), fs: fs)
            try file.truncate(to: offset)
            try file.sync()
            report.tornTails.append(.init(walFile: name, offset: offset, discardedBytes: bytes.count - offset,
                                          copy: "\(quarantineDirectory)/\(copyName)"))
        case .corruptMiddle(let offset, let next):
            file.close()
            throw .dataLoss("WAL \(path) is damaged at offset \(offset) and has a valid frame at \(next) after it: acknowledged records were corrupted; refusing to open (move the file aside to open without it)")
        }
    }

    static func walNumber(_ name: String) -> UInt64? {
        guard name.hasPrefix("wal-"), name.hasSuffix(".log") else { return nil }
        return UInt64(name.dropFirst(4).dropLast(4))
    }

    /// Moves a file into `quarantine/` (never deleted: an operator may want it).
    static func quarantine(_ name: String, fs: any StoreFileSystem, directory: String) throws(StrataError) -> String {
        let qdir = StorePath.join(directory, quarantineDirectory)
        try fs.createDirectory(qdir)
        let target = "\(quarantineDirectory)/\(name).\(UInt32.random(in: 0...UInt32.max))"
        try fs.rename(StorePath.join(directory, name), to: StorePath.join(directory, target))
        try fs.syncDirectory(directory)
        return target
    }
}
