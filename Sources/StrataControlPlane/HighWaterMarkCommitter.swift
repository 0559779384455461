/// Makes acknowledged high-water marks durable in the control plane, many writers at once,
/// with at most one commit in flight: marks that arrive while a commit runs are merged
/// (per slot, the highest) into the next one -- a group commit. So marks never go down in
/// the store even when ingest batches finish out of order, a busy leader writes one
/// transaction per round trip instead of one per batch, and marks already durable are not
/// written again.
///
/// The coordinator calls `record` after a write is durable on its write quorum and before
/// it acknowledges the client; when `record` returns, a commit holding marks at least as
/// high is durable (or it throws, and the client must not get the acknowledgement).
public actor HighWaterMarkCommitter {
    private let store: any ControlPlaneStore
    /// What the store holds (from the leader's load at takeover, then from each commit).
    private var durable: [Int: UInt64]
    /// To write in the next commit.
    private var pending: [Int: UInt64] = [:]
    private var leader: LeaderToken?
    private var waiting: [CheckedContinuation<Void, any Error>] = []
    private var committing = false
    /// Commits made (each one store transaction, or more for a batch beyond etcd's limit).
    public private(set) var commits = 0

    public init(store: any ControlPlaneStore, durable: [Int: UInt64]) {
        self.store = store
        self.durable = durable
    }

    /// Returns once marks at least `marks` are durable, guarded by `leader`. A refused or
    /// failed commit throws to every caller whose marks it carried.
    public func record(_ marks: [Int: UInt64], leader: LeaderToken) async throws(ControlPlaneError) {
        let needed = marks.filter { $0.value > (durable[$0.key] ?? 0) }
        guard !needed.isEmpty else { return }
        pending.merge(needed) { max($0, $1) }
        // The newest leadership guards the commit: marks are facts about durable writes, so
        // whichever leadership of this process is current may write them.
        self.leader = leader
        do {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append(continuation)
                if !committing {
                    committing = true
                    Task { await self.drain() }
                }
            }
        } catch let error as ControlPlaneError {
            throw error
        } catch {
            throw ControlPlaneError(.unavailable, "high-water marks not committed: \(error)")
        }
    }

    /// The marks known durable.
    public var durableMarks: [Int: UInt64] { durable }

    /// Callers waiting for the next commit (not the one in flight).
    public var waitingCallers: Int { waiting.count }

    private func drain() async {
        while !pending.isEmpty, let leader {
            let marks = pending
            let waiters = waiting
            pending = [:]
            waiting = []
            do {
                try await commit(ControlPlaneBatch(leader: leader, highWaterMarks: marks))
                commits += 1
                durable.merge(marks) { max($0, $1) }
                for waiter in waiters { waiter.resume() }
            } catch {
                for waiter in waiters { waiter.resume(throwing: error) }
            }
        }
        committing = false
    }

    /// Commits `batch`; a commit whose outcome is unknown (the etcd member died with the
    /// transaction in flight) is sent again, up to 3 times in all: marks are idempotent, the
    /// guard is checked again, and with one commit in flight no later marks can be overtaken.
    private func commit(_ batch: ControlPlaneBatch) async throws {
        for attempt in 1...3 {
            do {
                _ = try await store.commit(batch)
                return
            } catch {
                guard attempt < 3, (error as? ControlPlaneError)?.outcomeUnknown == true else { throw error }
            }
        }
    }
}
