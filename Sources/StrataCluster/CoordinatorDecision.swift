/// What `CoordinatorCore` decided, for its shell to carry out. Commits come first in a
/// decision list and must be durable before anything after them is acted on (an answer to a
/// worker, reserved sequence numbers): a worker never acts on a map the control plane could
/// forget, and a number is never handed out above a ceiling that is not durable.
public enum CoordinatorDecision: Sendable, Equatable {
    /// Write the slots a restart still waits for (`restartPending`); generations order the
    /// writes of one record (a later one supersedes an earlier one still in flight).
    case commitRestartPending(RestartReconciliation, generation: UInt64)
    /// Write the map (its generation is `map.version + 1`).
    case commitMap(ClusterMap)
    /// Write the sequence ceilings (`raised`'s was raised from `previous`; if the write fails,
    /// the shell reports `ceilingCommitFailed` so that the next reservation writes it again).
    case commitSequenceCeilings([Int: UInt64], generation: UInt64, raised: Int, previous: UInt64?)
    /// Answer a worker (after the commits of the same list).
    case answer(WorkerAnswer)
    /// A report left these slots out (changed since the last time: log it once).
    case reportIgnored(WorkerID, IgnoredSlots)
    /// Workers the failure detector moved between live, suspect and dead (to log: an operator
    /// must be able to tell when and why a worker was taken for dead). First sightings and
    /// restarts are left out: the registration says those.
    case livenessChanged([FailureDetector.Transition])
    /// Numbers for a write, usable once the commits of the same list are durable.
    case sequencesReserved(slot: Int, ClosedRange<UInt64>)
}

/// The coordinator's answer to one worker's registration or heartbeat.
public struct WorkerAnswer: Sendable, Equatable {
    public var worker: WorkerID
    /// The incarnation a registration was given (its heartbeats must carry it); nil for a
    /// heartbeat.
    public var incarnation: UInt64?
    /// The heartbeat is not from the worker's current process (or the worker is unknown):
    /// it must register again. Nothing else changed.
    public var reregister: Bool
    /// The worker's complete directive set under the map now.
    public var directives: [SlotDirective]
    public var mapVersion: UInt64
    /// The leadership the answer is given under; workers refuse commands of an older one.
    public var epoch: UInt64

    public init(worker: WorkerID, incarnation: UInt64? = nil, reregister: Bool = false, directives: [SlotDirective] = [],
                mapVersion: UInt64, epoch: UInt64) {
        self.worker = worker
        self.incarnation = incarnation
        self.reregister = reregister
        self.directives = directives
        self.mapVersion = mapVersion
        self.epoch = epoch
    }
}

extension Array where Element == CoordinatorDecision {
    /// The answer among the decisions, if any.
    public var answer: WorkerAnswer? {
        for case .answer(let answer) in self { return answer }
        return nil
    }

    /// The reserved range among the decisions, if any.
    public var reserved: ClosedRange<UInt64>? {
        for case .sequencesReserved(_, let range) in self { return range }
        return nil
    }
}
