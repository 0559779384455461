import Foundation
import StrataCore

/// Forgetting a slot: what a worker does when the coordinator moved the slot elsewhere.
///
/// The forget is a WAL record like any write (slot, sequence 0, one `forgetSlot` operation),
/// fsynced before `forgetSlot` returns, so a crash either keeps the whole slot (the record
/// never became durable: the coordinator asks again) or replays the forget on open (it
/// cancels everything earlier segments and WAL records said about the slot). The chunk
/// bodies only the slot referenced become dead; compaction removes them from disk, and it is
/// started here when the dead share passes `compactionGarbageRatio`.
///
/// | state when the record is replayed | result |
/// |---|---|
/// | slot in older segments and/or earlier WAL records | documents, tombstones and sequence removed |
/// | writes to the slot after the record (it was placed here again) | they apply to an empty slot, from sequence 1 |
/// | record flushed into a segment | the segment's meta replays it in order; compaction leaves no trace of the slot |
extension PersistentTier {
    /// Forgets every namespace's documents of `slot`, its tombstones and its sequence, if the
    /// slot's last accepted sequence is at most `ifAtMost` (see `ForgetOutcome.kept`).
    /// Returns once the forget is durable.
    @discardableResult
    public func forgetSlot(_ slot: UInt32, ifAtMost: UInt64) throws(StrataError) -> ForgetOutcome {
        var frame = RecordCoding.encodeWALFrame(slot: slot, sequence: 0, operations: [.forgetSlot]).frame
        state.lock()
        defer { state.unlock() }
        try checkOpenLocked()
        // Accepted (maybe not yet durable) writes count: they are ahead of the index.
        let last = locked.acceptedSequences[slot] ?? 0
        if last > ifAtMost { return .kept(lastSequence: last) }
        let holdsDocuments = !(locked.index.slotDocuments[slot]?.isEmpty ?? true)
        let holdsTombstones = locked.index.tombstones.values.contains { $0.slot == slot }
        if locked.acceptedSequences[slot] == nil && !holdsDocuments && !holdsTombstones {
            return .notHeld
        }
        let ticket = queueLocked(frame: &frame, slot: slot, sequence: 0, operations: [.forgetSlot], acceptedAfter: nil)
        try waitDurableLocked(ticket)
        scheduleCompactionIfNeededLocked()
        return .forgotten(lastSequence: last)
    }

    /// Flushes (so the forget records reach a segment) and compacts when the dead share of
    /// the segments passes the threshold: in the background, or inline when background
    /// maintenance is off. A failure is counted and retried at the next trigger.
    func scheduleCompactionIfNeededLocked() {
        guard !locked.maintenanceRunning, !locked.closed, locked.poisoned == nil, shouldCompactLocked() else { return }
        guard settings.backgroundMaintenance else {
            if (try? flushLocked()) == nil { locked.maintenanceErrors += 1; return }
            if (try? compactLocked()) == nil { locked.maintenanceErrors += 1 }
            return
        }
        // Claimed now so no other maintenance starts before the thread takes the lock.
        locked.maintenanceRunning = true
        Thread.detachNewThread { [self] in
            state.lock()
            defer { state.unlock() }
            locked.maintenanceRunning = false
            guard !locked.closed, locked.poisoned == nil else { state.broadcast(); return }
            if (try? flushLocked()) == nil { locked.maintenanceErrors += 1; return }
            if (try? compactLocked(background: true)) == nil { locked.maintenanceErrors += 1 }
        }
    }
}
