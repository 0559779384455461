/// What happens to a coordinator, as `CoordinatorCore` takes it in. Times (`now`) are
/// milliseconds of the shell's monotonic clock; the core never reads a clock itself.
public enum CoordinatorEvent: Sendable, Equatable {
    /// A worker announces itself (at its start, or when asked to register again).
    case workerRegistered(WorkerRegistration, now: UInt64)
    /// A worker's periodic report: every slot it holds with its position and digest (a slot
    /// missing from it was dropped, or never held).
    case heartbeat(worker: WorkerID, incarnation: UInt64, positions: [Int: UInt64], digests: [Int: UInt64], now: UInt64)
    /// Time passed: the failure detector runs.
    case timeAdvanced(now: UInt64)
    /// `acks` made a write to `slot` at `sequence` durable (whether or not it reached W).
    case writeRecorded(slot: Int, sequence: UInt64, acks: [WorkerID])
    /// A copy into `target` finished or failed (the next plan re-issues it if still needed).
    case copyEnded(slot: Int, target: WorkerID)
    /// An operator asks `worker` to leave (it gets no new slots, and DROPs once replicated).
    case workerDraining(WorkerID)
    /// Forgets every worker that has drained.
    case drainedWorkersRemoved
    /// A write wants `count` fresh sequence numbers for `slot`.
    case sequencesRequested(slot: Int, count: Int)
    /// The map of `version` could not be committed: the next change commits the map again.
    case mapCommitFailed(version: UInt64)
    /// The ceiling a `sequencesRequested` decided (`ceiling`, raised from `previous`) could not
    /// be made durable: the next reservation must write it again.
    case ceilingCommitFailed(slot: Int, ceiling: UInt64, previous: UInt64?)
    /// This coordinator leads from now on, under `epoch`, starting from the control plane as
    /// it stands (like a restart: its slots wait for their replicas' reports).
    case leadershipGained(epoch: UInt64, restored: CoordinatorCore.Restored, now: UInt64)
    /// The leadership ended: the leader's map may be followed again.
    case leadershipLost
    /// The leader's map as the control plane holds it (a follower plans queries on it).
    case leaderMapLoaded(ClusterMap)
    /// Acknowledged high-water marks made durable (by this or another coordinator).
    case marksLoaded([Int: UInt64])
}
