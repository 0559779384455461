import Foundation
import StrataCore

/// Group commit: how concurrent writers share WAL writes and fsyncs.
///
/// A writer accepts its batch under the lock (`queueLocked`: a ticket, the encoded frame
/// queued) and waits. The first waiter becomes the leader: it takes every queued frame,
/// releases the lock, writes them to the WAL in ticket order and fsyncs once, then, under the
/// lock again, applies the covered batches to the index in WAL order and wakes the others.
/// So the lock is held only for queueing and the index update, never for disk I/O, and
/// writers that arrive while an fsync runs share the next one. Only the leader (one at a
/// time: `syncing`) touches the WAL file; a flush rotates it only when no leader runs and
/// nothing is queued (`syncAndApplyPendingLocked` first).
extension PersistentTier {
    /// Waits until `ticket` is durable and applied; throws the error its frame met when it
    /// could not be written (a full disk: nothing of it changed) or when an fsync failed.
    func waitDurableLocked(_ ticket: UInt64) throws(StrataError) {
        try waitResolvedLocked(ticket)
        if let failure = locked.writeFailures.removeValue(forKey: ticket) { throw failure }
    }

    /// Waits until every ticket up to `ticket` is resolved (durable or refused), leading
    /// group commits as needed. Throws only when the store is poisoned.
    func waitResolvedLocked(_ ticket: UInt64) throws(StrataError) {
        while locked.durableTicket < ticket {
            if let poisoned = locked.poisoned { throw poisoned }
            if locked.syncing {
                state.wait()
                continue
            }
            try leadGroupCommitLocked()
        }
    }

    /// One group commit, led by the caller (holding the lock, `syncing` false).
    private func leadGroupCommitLocked() throws(StrataError) {
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
        var frames: [EngineState.QueuedFrame] = []
        swap(&frames, &locked.queued)
        let log = locked.wal
        state.unlock()
        var written = 0
        var writeFailure: StrataError?
        for item in frames {
            do throws(StrataError) { try log.append(frame: item.frame, payload: item.payload) } catch {
                writeFailure = error
                break
            }
            written += 1
        }
        var syncFailure: StrataError?
        do throws(StrataError) { try log.sync() } catch { syncFailure = error }
        let end = log.endOffset
        for i in frames.indices { walBuffers.give(&frames[i].frame) }
        state.lock()
        locked.syncing = false
        locked.lastSync = .now
        locked.walEnd = end
        if let syncFailure {
            locked.poisoned = StrataError(.dataLoss, "WAL fsync failed; the store must be reopened: \(syncFailure.message)", cause: syncFailure)
            state.broadcast()
            throw locked.poisoned!
        }
        if let writeFailure {
            refuseLocked(tickets: Set(frames[written...].map(\.ticket)), error: writeFailure)
        }
        locked.durableTicket = max(locked.durableTicket, target)
        applyDurablePendingLocked()
        state.broadcast()
    }

    /// Takes back batches whose frames could not be written: they leave `pending`, their
    /// slots' accepted sequences return to what they were (unless a later batch of the slot
    /// was accepted since), and their writers get `error`. The frames of a leader's group
    /// after the first that failed are not tried, so the refused ones are the group's tail.
    private func refuseLocked(tickets: Set<UInt64>, error: StrataError) {
        for batch in locked.pending.reversed() where tickets.contains(batch.ticket) {
            if locked.acceptedSequences[batch.slot] == batch.acceptedAfter { locked.acceptedSequences[batch.slot] = batch.acceptedBefore }
            locked.writeFailures[batch.ticket] = error
        }
        locked.pending.removeAll { tickets.contains($0.ticket) }
        // The namespaces' vector dimensions: what the index holds and what the batches still
        // pending fix (a refused batch may have been the one to fix a namespace's).
        var dimensions = locked.index.namespaceDimensions
        for batch in locked.pending {
            for op in batch.operations {
                if case .put(let put) = op, let dim = put.bodies.first(where: { $0.vector != nil })?.vector?.count {
                    dimensions[put.key.namespace] = dimensions[put.key.namespace] ?? dim
                }
            }
        }
        locked.acceptedDimensions = dimensions
    }
}
