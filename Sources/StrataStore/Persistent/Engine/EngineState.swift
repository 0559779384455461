import Foundation
import StrataCore

/// The persistent tier's mutable state, one value under its one lock (`PersistentTier.state`):
/// the index, the bodies not yet in a segment, the open WAL and manifest, the group commit's
/// tickets, maintenance flags and counters. Every read and write of it happens with the
/// lock held; fsyncs and segment reads happen outside, on values copied out of it.
struct EngineState {
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
    /// End of the last frame written to `wal`, kept here because the group commit's leader
    /// appends to `wal` outside the lock (see `PersistentTier.waitDurableLocked`).
    var walEnd: Int
    var manifest: Manifest
    /// Sequence numbers and dimensions including batches logged but not yet durable.
    var acceptedSequences: [UInt32: UInt64] = [:]
    var acceptedDimensions: [String: Int] = [:]
    var pending: [PendingBatch] = []
    /// Frames accepted but not yet written to the WAL, in ticket order; the next group
    /// commit's leader writes them all (outside the lock) before its fsync.
    var queued: [QueuedFrame] = []
    /// Tickets whose frame could not be written (a full disk): their writers throw this
    /// error; each removes its own entry.
    var writeFailures: [UInt64: StrataError] = [:]
    /// Writers between announcing a batch and queueing it (validating and encoding it
    /// outside the lock): a group commit's leader waits a moment for them to share its fsync.
    var preparing = 0
    var appendedTicket: UInt64 = 0
    /// Every ticket up to this one is resolved: durable and applied, or in `writeFailures`.
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

    /// A batch logged to the WAL and waiting for the fsync that makes it durable.
    struct PendingBatch {
        var ticket: UInt64
        var slot: UInt32
        var sequence: UInt64
        var operations: [PreparedOperation]
        /// The slot's accepted sequence before and after this batch was accepted, so that a
        /// batch whose frame could not be written is taken back exactly.
        var acceptedBefore: UInt64?
        var acceptedAfter: UInt64?
    }

    /// A batch's encoded WAL frame, waiting for the group commit's leader to write it.
    struct QueuedFrame {
        var ticket: UInt64
        var frame: [UInt8]
    }

    init(wal: WALWriter, manifest: Manifest) {
        self.wal = wal
        self.walEnd = wal.endOffset
        self.manifest = manifest
    }

    /// Every slot held with its sequence and the digest of its live documents at that
    /// sequence (read together, so each pair describes one moment). See `SlotDigest`.
    var slotPositions: [UInt32: (sequence: UInt64, digest: UInt64)] {
        index.slotSequences.reduce(into: [:]) { positions, entry in
            positions[entry.key] = (entry.value, index.slotDigests[entry.key] ?? 0)
        }
    }

    /// The vector dimension of a live chunk's stored body (0: none); nil when nothing live holds it.
    func liveVectorDimension(cacheKey: ContentHash) -> Int? {
        guard let entry = index.blobs[cacheKey], entry.refCount > 0 else { return nil }
        return entry.vectorDimension
    }

    /// Applies a durable batch to the index (new bodies into the memtable) and queues its
    /// meta records for the next flush.
    mutating func apply(slot: UInt32, sequence: UInt64, operations: [PreparedOperation]) {
        for op in operations {
            let meta = op.meta(slot: slot, sequence: sequence)
            if case .put(let put) = op {
                index.applyPut(slot: slot, sequence: sequence, put: put, memtable: &memtable)
            } else {
                index.apply(meta)
            }
            metaSinceFlush.append(meta)
        }
        // A batch with no operations (an export's trailing marker) still advances the slot.
        index.raiseSequence(of: slot, to: sequence)
        if operations.isEmpty {
            metaSinceFlush.append(MetaRecord(slot: slot, sequence: sequence, operation: .drop(namespace: "")))
        }
    }

    /// Refuses work on a closed or poisoned store.
    func checkOpen(directory: String) throws(StrataError) {
        if closed { throw .failedPrecondition("the store at \(directory) is closed") }
        if let poisoned { throw poisoned }
    }
}
