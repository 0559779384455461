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
/// Thread-safe: one lock (`state`, an `NSCondition`) guards the index; fsyncs and segment
/// reads run outside it.
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

    /// Guards everything below; also the condition group-commit followers wait on.
    let state = NSCondition()
    var index = PersistentIndex()
    /// Bodies written since the last flush (they live only in the WAL on disk).
    var memtable = ContentHashTable<ChunkBody>()
    /// The memtable a running flush is writing into a segment (still served to readers).
    var immutable = ContentHashTable<ChunkBody>()
    /// WAL files covered by a flush that has not switched the manifest yet.
    var retiredWALs: [WALWriter] = []
    /// A flush or compaction is running (only one at a time).
    var maintenanceRunning = false
    var maintenanceErrors: UInt64 = 0
    var metaSinceFlush: [MetaRecord] = []
    var segments: [UInt64: SegmentFile] = [:]
    var wal: WALWriter
    var manifest: Manifest
    /// Sequence numbers and dimensions including batches logged but not yet durable.
    var acceptedSequences: [UInt32: UInt64] = [:]
    var acceptedDimensions: [String: Int] = [:]
    var pending: [PendingBatch] = []
    var appendedTicket: UInt64 = 0
    var durableTicket: UInt64 = 0
    var syncing = false
    var lastSync = ContinuousClock.now
    /// Set when an fsync failed: the kernel may have dropped the dirty pages, so nothing
    /// written since is trustworthy until the store is reopened (the WAL is replayed).
    var poisoned: StrataError?
    var closed = false
    var corruptReads: UInt64 = 0
    var flushes: UInt64 = 0
    var compactions: UInt64 = 0
    public internal(set) var recoveryReport = RecoveryReport()

    struct PendingBatch {
        var ticket: UInt64
        var slot: UInt32
        var sequence: UInt64
        var operations: [PreparedOperation]
    }

    init(fs: any StoreFileSystem, directory: String, settings: PersistentSettings, wal: WALWriter, manifest: Manifest) {
        self.fs = fs
        self.directory = directory
        self.settings = settings
        self.wal = wal
        self.manifest = manifest
        // Up to 4 threads: beyond that a flush is bound by the disk, and the writers need CPU too.
        let threads = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))
        self.compressors = (0..<threads).map { _ in ZstdCompressor(level: settings.compressionLevel) }
    }

    /// The epoch recorded in the manifest (see `Manifest.epoch`).
    public var epoch: UInt64 { state.withLock { manifest.epoch } }

    /// Last applied sequence number of a slot (0 when the slot never saw a write).
    public func lastSequence(of slot: UInt32) -> UInt64 { state.withLock { index.lastSequence(of: slot) } }

    /// Every slot with a sequence number, and that number.
    public func slotSequences() -> [UInt32: UInt64] { state.withLock { index.slotSequences } }

    /// Every slot held with its sequence and the digest of its live documents at that
    /// sequence (read together, so each pair describes one moment). See `SlotDigest`.
    public func slotPositions() -> [UInt32: (sequence: UInt64, digest: UInt64)] {
        state.withLock {
            index.slotSequences.reduce(into: [:]) { positions, entry in
                positions[entry.key] = (entry.value, index.slotDigests[entry.key] ?? 0)
            }
        }
    }

    /// Whether a memory-tier key names a live chunk (used to validate a reattached warm tier).
    public func containsLive(cacheKey: ContentHash) -> Bool {
        state.withLock { (index.blobs[cacheKey]?.refCount ?? 0) > 0 }
    }

    /// The vector dimension of a live chunk's stored body (0: it has no vector); nil when no
    /// live document references it. A memory tier's copy with another dimension is stale: the
    /// body got its vector after the copy was cached.
    public func liveVectorDimension(cacheKey: ContentHash) -> Int? {
        state.withLock {
            guard let entry = index.blobs[cacheKey], entry.refCount > 0 else { return nil }
            return entry.vectorDimension
        }
    }

    /// Flushes, then closes every file. Further calls fail with `failedPrecondition`.
    public func close() {
        state.lock()
        defer { state.unlock() }
        guard !closed else { return }
        while syncing || maintenanceRunning { state.wait() }
        if poisoned == nil { try? syncAndApplyPendingLocked() }
        closed = true
        wal.close()
        for s in segments.values { s.close() }
    }

    func checkOpenLocked() throws(StrataError) {
        if closed { throw .failedPrecondition("the store at \(directory) is closed") }
        if let poisoned { throw poisoned }
    }
}
