import Foundation
import StrataCore

extension PersistentTier {
    /// Validates, logs and applies one batch. Returns only once the batch is durable (the
    /// fsync covering its WAL frame has completed): returning is the acknowledgement.
    ///
    /// Bad input throws a `StrataError` naming the field and changes nothing. A full disk
    /// throws `resourceExhausted` and changes nothing; the store stays readable.
    @discardableResult
    public func apply(_ write: SlotWrite) throws(StrataError) -> ApplyOutcome {
        let dims = state.withLock { locked.acceptedDimensions }
        let prepared = try WriteValidation.prepare(write, maxChunkBytes: settings.maxChunkBytes, dimensions: dims)
        // Encoded outside the lock, straight into its frame: the lock is held only for the write.
        var frame = walBuffers.take()
        let payloadLength = RecordCoding.encodeWALFrame(slot: write.slot, sequence: write.sequence, operations: prepared, into: &frame)
        defer { walBuffers.give(&frame) }

        state.lock()
        defer { state.unlock() }
        try checkOpenLocked()
        let last = locked.acceptedSequences[write.slot] ?? 0
        if write.sequence <= last {
            // Idempotent retry; still wait until what was accepted is durable so the caller's
            // acknowledgement keeps its meaning.
            try waitDurableLocked(locked.appendedTicket)
            return .alreadyApplied(lastSequence: last)
        }
        // Dimensions may have been fixed by a batch accepted since we looked.
        if locked.acceptedDimensions != dims {
            _ = try WriteValidation.prepare(write, maxChunkBytes: settings.maxChunkBytes, dimensions: locked.acceptedDimensions)
        }
        try locked.wal.append(frame: frame, payload: payloadLength)
        locked.appendedTicket += 1
        let ticket = locked.appendedTicket
        locked.acceptedSequences[write.slot] = write.sequence
        for op in prepared {
            if case .put(let put) = op, let dim = put.bodies.first(where: { $0.vector != nil })?.vector?.count {
                locked.acceptedDimensions[put.key.namespace] = locked.acceptedDimensions[put.key.namespace] ?? dim
            }
        }
        locked.pending.append(EngineState.PendingBatch(ticket: ticket, slot: write.slot, sequence: write.sequence, operations: prepared))
        try waitDurableLocked(ticket)
        scheduleFlushIfNeededLocked()
        return .applied
    }

    /// Group commit. The first waiter becomes the leader: under `interval` it waits out the
    /// interval (others append meanwhile), then fsyncs everything appended so far outside the
    /// lock and applies the covered batches in WAL order; followers wait for the leader.
    func waitDurableLocked(_ ticket: UInt64) throws(StrataError) {
        while locked.durableTicket < ticket {
            if let poisoned = locked.poisoned { throw poisoned }
            if locked.syncing {
                state.wait()
                continue
            }
            locked.syncing = true
            if case .interval(let ms) = settings.fsyncPolicy, ms > 0 {
                let due = locked.lastSync.advanced(by: .milliseconds(ms))
                let wait = ContinuousClock.now.duration(to: due)
                if wait > .zero {
                    let seconds = wait.seconds
                    _ = state.wait(until: Date(timeIntervalSinceNow: seconds))
                }
            }
            let target = locked.appendedTicket
            let log = locked.wal
            state.unlock()
            var failure: StrataError?
            do throws(StrataError) { try log.sync() } catch { failure = error }
            state.lock()
            locked.syncing = false
            locked.lastSync = .now
            if let failure {
                locked.poisoned = StrataError(.dataLoss, "WAL fsync failed; the store must be reopened: \(failure.message)", cause: failure)
                state.broadcast()
                throw locked.poisoned!
            }
            locked.durableTicket = max(locked.durableTicket, target)
            applyDurablePendingLocked()
            state.broadcast()
        }
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

    /// Makes everything appended durable and applied (used before a flush and at close).
    func syncAndApplyPendingLocked() throws(StrataError) {
        while locked.syncing { state.wait() }
        guard locked.durableTicket < locked.appendedTicket else { return }
        try waitDurableLocked(locked.appendedTicket)
    }
}
