import Foundation
import StrataCore

/// Group commit: how concurrent writers share WAL writes and fsyncs.
///
/// A writer accepts its batch under the lock (`queueLocked`: a ticket, the encoded frame
/// queued) and waits. The first waiter becomes the leader: it waits a moment for writers still
/// encoding a batch, takes every queued frame, releases the lock, writes them to the WAL in
/// ticket order with one write and fsyncs once, then, under the
/// lock again, applies the covered batches to the index in WAL order and wakes the others.
/// So the lock is held only for queueing and the index update, never for disk I/O, and
/// writers that arrive while an fsync runs share the next one. Only the leader (one at a
/// time: `syncing`) touches the WAL file; a flush rotates it only when no leader runs and
/// nothing is queued (`syncAndApplyPendingLocked` first).
extension PersistentTier {
    /// How long a leader waits at most for writers that are encoding a batch (`preparing`).
    static let groupCommitWaitLimit: Duration = .milliseconds(2)

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
        // Writers still encoding their batch would otherwise miss this write and fsync and
        // need one of their own right after it; a moment's wait lets them share it (two
        // writers of 1 MiB batches then make one 2 MiB write and one fsync).
        let deadline = ContinuousClock.now.advanced(by: Self.groupCommitWaitLimit)
        while locked.preparing > 0, ContinuousClock.now < deadline {
            _ = state.wait(until: Date(timeIntervalSinceNow: ContinuousClock.now.duration(to: deadline).seconds))
        }
        let target = locked.appendedTicket
        var frames: [EngineState.QueuedFrame] = []
        swap(&frames, &locked.queued)
        let log = locked.wal
        state.unlock()
        // One write for the whole group (each frame's size was checked when it was encoded).
        var writeFailure: StrataError?
        do throws(StrataError) { try log.append(frames: frames.map(\.frame)) } catch { writeFailure = error }
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
            refuseLocked(tickets: Set(frames.map(\.ticket)), error: writeFailure)
        }
        locked.durableTicket = max(locked.durableTicket, target)
        applyDurablePendingLocked()
        state.broadcast()
    }

    /// Takes back batches whose frames could not be written (a group is written at once, so
    /// all of its batches): they leave `pending`, their slots' accepted sequences return to
    /// what they were (unless a later batch of the slot was accepted since), and their
    /// writers get `error`.
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
