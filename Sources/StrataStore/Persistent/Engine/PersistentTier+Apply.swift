import Foundation
import StrataCore

extension PersistentTier {
    /// Validates, logs and applies one batch. Returns only once the batch is durable (the
    /// fsync covering its WAL frame has completed): returning is the acknowledgement.
    ///
    /// Concurrent writers hold the lock only to accept their batch (sequence check, a ticket,
    /// the frame queued); validation and encoding run before, the WAL write and fsync in the
    /// group commit's leader outside the lock (`waitDurableLocked`).
    ///
    /// Bad input throws a `StrataError` naming the field and changes nothing. A full disk
    /// throws `resourceExhausted` and changes nothing; the store stays readable.
    @discardableResult
    public func apply(_ write: SlotWrite) throws(StrataError) -> ApplyOutcome {
        let dims = state.withLock {
            locked.preparing += 1
            return locked.acceptedDimensions
        }
        let prepared: [PreparedOperation]
        do throws(StrataError) {
            prepared = try WriteValidation.prepare(write, maxChunkBytes: settings.maxChunkBytes, dimensions: dims)
        } catch {
            state.withLock { endPreparingLocked() }
            throw error
        }
        // Encoded outside the lock, straight into its frame: the lock is held only to queue it.
        var frame = walBuffers.take()
        let payloadLength = RecordCoding.encodeWALFrame(slot: write.slot, sequence: write.sequence, operations: prepared, into: &frame)
        guard payloadLength <= WALFrame.maxPayload else {
            walBuffers.give(&frame)
            state.withLock { endPreparingLocked() }
            throw .resourceExhausted("write batch encodes to \(payloadLength) bytes; the limit is \(WALFrame.maxPayload)")
        }

        state.lock()
        defer { state.unlock() }
        endPreparingLocked()
        do throws(StrataError) { try checkOpenLocked() } catch {
            walBuffers.give(&frame)
            throw error
        }
        let last = locked.acceptedSequences[write.slot] ?? 0
        if write.sequence <= last {
            walBuffers.give(&frame)
            // Idempotent retry; still wait until what was accepted is durable so the caller's
            // acknowledgement keeps its meaning.
            try waitResolvedLocked(locked.appendedTicket)
            return .alreadyApplied(lastSequence: last)
        }
        // Dimensions may have been fixed by a batch accepted since we looked.
        if locked.acceptedDimensions != dims {
            do throws(StrataError) {
                _ = try WriteValidation.prepare(write, maxChunkBytes: settings.maxChunkBytes, dimensions: locked.acceptedDimensions)
            } catch {
                walBuffers.give(&frame)
                throw error
            }
        }
        for op in prepared {
            if case .put(let put) = op, let dim = put.bodies.first(where: { $0.vector != nil })?.vector?.count {
                locked.acceptedDimensions[put.key.namespace] = locked.acceptedDimensions[put.key.namespace] ?? dim
            }
        }
        let ticket = queueLocked(frame: &frame, slot: write.slot, sequence: write.sequence,
                                 operations: prepared, acceptedAfter: write.sequence)
        try waitDurableLocked(ticket)
        scheduleFlushIfNeededLocked()
        return .applied
    }

    /// Accepts a batch under the lock: a ticket, its frame queued for the next group commit
    /// (moved out of `frame`), its slot's accepted sequence set to `acceptedAfter`.
    func queueLocked(frame: inout [UInt8], slot: UInt32, sequence: UInt64,
                     operations: [PreparedOperation], acceptedAfter: UInt64?) -> UInt64 {
        locked.appendedTicket += 1
        let ticket = locked.appendedTicket
        var queued = EngineState.QueuedFrame(ticket: ticket, frame: [])
        swap(&queued.frame, &frame)
        locked.queued.append(queued)
        let before = locked.acceptedSequences[slot]
        locked.acceptedSequences[slot] = acceptedAfter
        locked.pending.append(EngineState.PendingBatch(ticket: ticket, slot: slot, sequence: sequence, operations: operations,
                                                       acceptedBefore: before, acceptedAfter: acceptedAfter))
        return ticket
    }

    /// A writer announced by `apply` has queued its batch or given up: a leader waiting
    /// for it (`leadGroupCommitLocked`) stops waiting.
    func endPreparingLocked() {
        locked.preparing -= 1
        if locked.syncing { state.broadcast() }
    }

    /// Applies, in WAL order, every pending batch that is durable.
    func applyDurablePendingLocked() {
        var applied = 0
        for batch in locked.pending {
            guard batch.ticket <= locked.durableTicket else { break }
            applyToIndexLocked(slot: batch.slot, sequence: batch.sequence, operations: batch.operations)
            applied += 1
        }
        locked.pending.removeFirst(applied)
    }

    func applyToIndexLocked(slot: UInt32, sequence: UInt64, operations: [PreparedOperation]) {
        locked.apply(slot: slot, sequence: sequence, operations: operations)
    }

    /// Makes everything accepted durable and applied (used before a flush and at close).
    /// Returns with no group commit running and none queued, so a flush that rotates the WAL
    /// next, still under the lock, leaves no frame behind in the old file: a leader's write
    /// and fsync go to the file it took when it started, and a frame written to the old WAL
    /// after the flush's snapshot would be deleted with that file, though acknowledged.
    func syncAndApplyPendingLocked() throws(StrataError) {
        while true {
            if locked.syncing {
                state.wait()
                continue
            }
            guard locked.durableTicket < locked.appendedTicket else { return }
            try waitResolvedLocked(locked.appendedTicket)
        }
    }
}
