@testable import StrataCluster

/// Test double: the control plane the simulated coordinators share (etcd's part in
/// production): the records a coordinator commits, the durable acknowledged marks, and an
/// election whose every leadership has its own epoch. Every write is guarded by the writer's
/// epoch, as a production commit is guarded by the leader's lease: a deposed leader's write
/// changes nothing and is refused.
struct ControlPlaneTestDouble {
    private(set) var map: ClusterMap?
    private(set) var restartPending: RestartReconciliation?
    private(set) var ceilings: [Int: UInt64] = [:]
    private(set) var marks: [Int: UInt64] = [:]
    /// The current leadership's epoch (0: nobody elected yet) and its coordinator.
    private(set) var epoch: UInt64 = 0
    private(set) var leader: Int?
    private(set) var refusedWrites = 0

    /// Elects `coordinator`; returns its epoch (the previous leader's lease is gone).
    mutating func elect(_ coordinator: Int) -> UInt64 {
        epoch += 1
        leader = coordinator
        return epoch
    }

    /// What a coordinator taking the lead (or starting) loads.
    var restored: CoordinatorCore.Restored {
        CoordinatorCore.Restored(map: map, highWaterMarks: marks, sequenceCeilings: ceilings, restartPending: restartPending)
    }

    /// Applies a commit decision made under `epoch`; false (nothing written) when that is not
    /// the current leadership. Decisions that are no commits are let through. One leader's
    /// commits arrive in the order it made them (the simulation carries decisions out at
    /// once), so no generation check is needed.
    mutating func commit(_ decision: CoordinatorDecision, epoch: UInt64) -> Bool {
        let write: (inout ControlPlaneTestDouble) -> Void
        switch decision {
        case .commitMap(let committed): write = { $0.map = committed }
        case .commitRestartPending(let pending, _): write = { $0.restartPending = pending }
        case .commitSequenceCeilings(let committed, _, _, _): write = { $0.ceilings = committed }
        case .answer, .reportIgnored, .livenessChanged, .sequencesReserved: return true
        }
        guard epoch == self.epoch else {
            refusedWrites += 1
            return false
        }
        write(&self)
        return true
    }

    /// Makes `sequence` the durable acknowledged mark of `slot` (before the acknowledgement),
    /// under `epoch`.
    mutating func commitMark(slot: Int, sequence: UInt64, epoch: UInt64) -> Bool {
        guard epoch == self.epoch else {
            refusedWrites += 1
            return false
        }
        marks[slot] = max(marks[slot] ?? 0, sequence)
        return true
    }
}
