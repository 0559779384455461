import Foundation
import StrataCore

/// The persistent tier: a write-ahead log plus immutable, checksummed, zstd-compressed
/// segments in one data directory, behind a `StoreFileSystem`.
///
/// Writes are validated, appended to the WAL, fsynced (group commit), and only then applied
/// to the in-memory index and acknowledged. The WAL is flushed into a segment past
/// `walFlushBytes`; segments are compacted when dead bytes or their number grow. Opening
/// follows `RecoveryRules`.
///
/// Thread-safe: one lock (`state`, an `NSCondition`) guards `locked`, the engine's mutable
/// state as one value (`EngineState`); validation, encoding, WAL writes, fsyncs, segment
/// builds and segment reads run outside it (see `PersistentTier+GroupCommit`).
public final class PersistentTier: @unchecked Sendable {
    /// On-disk format version of manifests, WAL files and segments. 2: document metadata is
    /// kept in WAL puts and segment meta records. A directory of another version (1 included)
    /// is refused at open with `failedPrecondition` naming both versions (`RecoveryRules`);
    /// re-fill such a worker by slot copy from its replicas.
    public static let formatVersion: UInt32 = 2

    let fs: any StoreFileSystem
    public let directory: String
    let settings: PersistentSettings
    let pool = ZstdPool()
    let walBuffers = WALBufferPool()
    /// One zstd context per thread a segment build compresses on (see `ParallelBlockSealer`).
    let compressors: [ZstdCompressor]

    /// Guards `locked`; also the condition group-commit followers wait on.
    let state = NSCondition()
    /// Everything the engine changes after open, read and written only under `state`.
    var locked: EngineState
    public internal(set) var recoveryReport = RecoveryReport()

    init(fs: any StoreFileSystem, directory: String, settings: PersistentSettings, wal: WALWriter, manifest: Manifest) {
        self.fs = fs
        self.directory = directory
        self.settings = settings
        self.locked = EngineState(wal: wal, manifest: manifest)
        // Up to 4 threads: beyond that a flush is bound by the disk, and the writers need CPU too.
        let threads = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))
        self.compressors = (0..<threads).map { _ in ZstdCompressor(level: settings.compressionLevel) }
    }

    /// The epoch recorded in the manifest (see `Manifest.epoch`).
    public var epoch: UInt64 { state.withLock { locked.manifest.epoch } }

    /// Last applied sequence number of a slot (0 when the slot never saw a write).
    public func lastSequence(of slot: UInt32) -> UInt64 { state.withLock { locked.index.lastSequence(of: slot) } }

    /// Every slot with a sequence number, and that number.
    public func slotSequences() -> [UInt32: UInt64] { state.withLock { locked.index.slotSequences } }

    /// Every slot held with its sequence and the digest of its live documents at that
    /// sequence (read together, so each pair describes one moment). See `SlotDigest`.
    public func slotPositions() -> [UInt32: (sequence: UInt64, digest: UInt64)] {
        state.withLock { locked.slotPositions }
    }

    /// Whether a memory-tier key names a live chunk (used to validate a reattached warm tier).
    public func containsLive(cacheKey: ContentHash) -> Bool {
        state.withLock { (locked.index.blobs[cacheKey]?.refCount ?? 0) > 0 }
    }

    /// The vector dimension of a live chunk's stored body (0: it has no vector); nil when no
    /// live document references it. A memory tier's copy with another dimension is stale: the
    /// body got its vector after the copy was cached.
    public func liveVectorDimension(cacheKey: ContentHash) -> Int? {
        state.withLock { locked.liveVectorDimension(cacheKey: cacheKey) }
    }

    /// Makes everything durable, flushes the memtable into a segment (so that the next open
    /// replays no WAL), then closes every file. Further calls fail with `failedPrecondition`.
    /// A failed flush loses nothing: the WAL still holds it and the next open replays it.
    public func close() {
        state.lock()
        defer { state.unlock() }
        guard !locked.closed else { return }
        while locked.syncing || locked.maintenanceRunning { state.wait() }
        guard !locked.closed else { return }  // another close finished meanwhile
        if locked.poisoned == nil {
            try? syncAndApplyPendingLocked()
            if !locked.memtable.isEmpty || !locked.metaSinceFlush.isEmpty, (try? flushLocked()) == nil { locked.maintenanceErrors += 1 }
            // The flush released the lock while it wrote: wait out what ran meanwhile.
            while locked.syncing || locked.maintenanceRunning { state.wait() }
            guard !locked.closed else { return }
            try? syncAndApplyPendingLocked()
        }
        locked.closed = true
        locked.wal.close()
        for s in locked.segments.values { s.close() }
    }

    func checkOpenLocked() throws(StrataError) {
        try locked.checkOpen(directory: directory)
    }
}
