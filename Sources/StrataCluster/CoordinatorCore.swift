import StrataCore

/// The coordinator's membership decisions as a value, in the style of SWIM's instance/shell
/// split: events in (`CoordinatorEvent`), decisions out (`CoordinatorDecision`). It owns the
/// `ClusterMap`, the `FailureDetector`, the `RecoveryPlanner`, the `RestartReconciliation`
/// and the sequence reservations; it does no I/O, reads no clock and takes no lock. The node's
/// `CoordinatorMembership` is its shell (a lock, the control plane, the workers' RPCs), and
/// both cluster simulations drive it, so they check the rules production runs.
///
/// Every event either throws and changes nothing, or returns what to do:
///
/// | event | decisions |
/// |---|---|
/// | registration, heartbeat | the commits the change needs (restart reconciliation, then the map), then the worker's answer |
/// | heartbeat of another incarnation | an answer "register again", nothing else |
/// | time advanced, copy ended, drain, removal | the commits the change needs |
/// | sequences requested | a ceiling commit when the numbers pass the durable ceiling, then the numbers |
/// | leadership gained | the restart reconciliation to commit before leading |
/// | write recorded, a commit failed, marks loaded, leader's map loaded, leadership lost | none |
///
/// A follower (no leadership) refuses registrations, heartbeats and reservations; it follows
/// the leader's map instead.
public struct CoordinatorCore: Sendable {
    /// The core's fixed rules.
    public struct Settings: Sendable, Equatable {
        public var slotCount: Int
        public var replicationFactor: Int
        public var detector: FailureDetector.Settings
        public var planner: RecoveryPlanner.Settings
        public var quorum: WriteQuorum
        /// Whether positions moved by writes bump the map's version at each tick, so that the
        /// map is written again (followers on a shared control plane plan queries on it).
        public var publishesPositions: Bool

        public init(slotCount: Int, replicationFactor: Int, detector: FailureDetector.Settings, planner: RecoveryPlanner.Settings,
                    quorum: WriteQuorum, publishesPositions: Bool) {
            self.slotCount = slotCount
            self.replicationFactor = replicationFactor
            self.detector = detector
            self.planner = planner
            self.quorum = quorum
            self.publishesPositions = publishesPositions
        }

        /// The settings from the coordinator's config.
        public init(_ config: CoordinatorConfig, publishesPositions: Bool) throws {
            self.init(slotCount: config.slots, replicationFactor: config.replicas, detector: try .init(config),
                      planner: try .init(config), quorum: try WriteQuorum(config), publishesPositions: publishesPositions)
        }
    }

    /// What the control plane held when the coordinator started or took the lead.
    public struct Restored: Sendable, Equatable {
        /// The persisted map; nil for a new cluster.
        public var map: ClusterMap?
        /// The acknowledged high-water marks (durable before each acknowledgement).
        public var highWaterMarks: [Int: UInt64]
        public var sequenceCeilings: [Int: UInt64]
        /// What a previous run still waited for.
        public var restartPending: RestartReconciliation?

        public init(map: ClusterMap? = nil, highWaterMarks: [Int: UInt64] = [:], sequenceCeilings: [Int: UInt64] = [:],
                    restartPending: RestartReconciliation? = nil) {
            self.map = map
            self.highWaterMarks = highWaterMarks
            self.sequenceCeilings = sequenceCeilings
            self.restartPending = restartPending
        }
    }

    public enum Role: Sendable, Equatable {
        case leader(epoch: UInt64)
        case follower

        public var epoch: UInt64? {
            if case .leader(let epoch) = self { return epoch }
            return nil
        }
    }

    public let settings: Settings
    public private(set) var role: Role
    public private(set) var map: ClusterMap
    /// Slots whose high-water sequence is not known yet after a restart.
    public private(set) var restart: RestartReconciliation
    var detector: FailureDetector
    var planner: RecoveryPlanner
    /// Workers heard from since this state was restored.
    var reportedSinceStart: Set<WorkerID> = []
    /// The map version committed or being committed (nil: none yet).
    var committedVersion: UInt64?
    var restartGeneration: UInt64 = 0
    /// Writes moved replica positions since the map was last committed.
    var positionsMoved = false
    /// What each worker's reports last left out (reported when it changes, not every beat).
    var ignored: [WorkerID: IgnoredSlots] = [:]
    /// The next sequence number to hand out per slot, and the durable ceilings below which
    /// numbers may be handed out without a commit first.
    var nextSequence: [Int: UInt64] = [:]
    public internal(set) var sequenceCeilings: [Int: UInt64]
    var ceilingsGeneration: UInt64 = 0

    /// The state `restored` describes, acting as `role`, with what to commit before acting
    /// (a restored map's restart reconciliation). `now` starts every known worker's grace
    /// period.
    public static func start(settings: Settings, restored: Restored, role: Role, now: UInt64) throws -> (CoordinatorCore, [CoordinatorDecision]) {
        var core = try CoordinatorCore(settings: settings, restored: restored, role: role, now: now)
        var decisions: [CoordinatorDecision] = []
        if restored.map != nil {
            core.restartGeneration += 1
            decisions.append(.commitRestartPending(core.restart, generation: core.restartGeneration))
        }
        return (core, decisions)
    }

    private init(settings: Settings, restored: Restored, role: Role, now: UInt64) throws {
        self.settings = settings
        self.role = role
        var map = try restored.map ?? ClusterMap(slotCount: settings.slotCount, replicationFactor: settings.replicationFactor)
        // Acknowledged marks are durable before the acknowledgement: the map's marks (written
        // when membership changed) may lag them, never lead.
        map.raiseHighWaterMarks(restored.highWaterMarks)
        self.map = map
        sequenceCeilings = restored.sequenceCeilings
        restart = restored.map == nil
            ? RestartReconciliation()
            : RestartReconciliation(restoring: map, ceilings: restored.sequenceCeilings, quorum: settings.quorum,
                                    pending: restored.restartPending, acknowledgedMarks: restored.highWaterMarks)
        // Every worker of the map gets a full detection period from now to report.
        detector = FailureDetector(settings: settings.detector, resuming: map, now: now)
        planner = RecoveryPlanner(settings: settings.planner)
        committedVersion = restored.map == nil ? nil : map.version
    }

    /// The epoch answers and commands carry (0 while following).
    public var epoch: UInt64 { role.epoch ?? 0 }

    /// Takes one event; throws (and changes nothing) when its input is refused.
    public mutating func handle(_ event: CoordinatorEvent) throws -> [CoordinatorDecision] {
        switch event {
        case .workerRegistered(let registration, let now):
            return try register(registration, now: now)
        case .heartbeat(let worker, let incarnation, let positions, let digests, let now):
            return try heartbeat(worker, incarnation: incarnation, positions: positions, digests: digests, now: now)
        case .timeAdvanced(let now):
            guard role.epoch != nil else { return [] }
            let changes = detector.tick(now: now)
            map.apply(changes)
            if settings.publishesPositions && positionsMoved {
                map.notePositionsMoved()
                positionsMoved = false
            }
            return Self.noteLiveness(changes) + replan()
        case .writeRecorded(let slot, let sequence, let acks):
            try map.recordWrite(slot: slot, sequence: sequence, acks: acks)
            positionsMoved = true
            return []
        case .copyEnded(let slot, let target):
            try map.finishTransfer(slot: slot, target: target)
            return replan()
        case .workerDraining(let worker):
            try map.drain(worker)
            return replan()
        case .drainedWorkersRemoved:
            for id in map.workers.keys.sorted() where map.isDrained(id) {
                try map.removeWorker(id)
                detector.forget(id)
            }
            return replan()
        case .sequencesRequested(let slot, let count):
            return try reserveSequences(slot: slot, count: count)
        case .mapCommitFailed(let version):
            if committedVersion == version { committedVersion = nil }
            return []
        case .ceilingCommitFailed(let slot, let ceiling, let previous):
            if sequenceCeilings[slot] == ceiling { sequenceCeilings[slot] = previous }
            return []
        case .leadershipGained(let epoch, let restored, let now):
            let (fresh, decisions) = try Self.start(settings: settings, restored: restored, role: .leader(epoch: epoch), now: now)
            self = fresh
            return decisions
        case .leadershipLost:
            role = .follower
            return []
        case .leaderMapLoaded(let leaderMap):
            // A leader keeps the state it took over with (and its restart reconciliation).
            guard role.epoch == nil else { return [] }
            map = leaderMap
            restart = RestartReconciliation()
            return []
        case .marksLoaded(let marks):
            map.raiseHighWaterMarks(marks)
            return []
        }
    }

    private mutating func register(_ registration: WorkerRegistration, now: UInt64) throws -> [CoordinatorDecision] {
        let epoch = try leadingEpoch()
        let registered = try map.register(registration)
        map.apply(detector.heartbeat(from: registration.id, incarnation: registered.incarnation, now: now))
        reportedSinceStart.insert(registration.id)
        var decisions = noteIgnored(registered.ignored, from: registration.id)
        decisions += replan()
        decisions.append(.answer(WorkerAnswer(worker: registration.id, incarnation: registered.incarnation,
                                              directives: directives(for: registration.id), mapVersion: map.version, epoch: epoch)))
        return decisions
    }

    private mutating func heartbeat(_ worker: WorkerID, incarnation: UInt64, positions: [Int: UInt64], digests: [Int: UInt64],
                                    now: UInt64) throws -> [CoordinatorDecision] {
        let epoch = try leadingEpoch()
        // One from an unknown worker, or of another incarnation than its registration was given
        // (a previous process, a stray call), changes nothing.
        guard map.acceptsHeartbeat(from: worker, incarnation: incarnation) else {
            return [.answer(WorkerAnswer(worker: worker, reregister: true, mapVersion: map.version, epoch: epoch))]
        }
        let changes = detector.heartbeat(from: worker, incarnation: incarnation, now: now)
        map.apply(changes)
        // Cannot throw: the worker and its incarnation were just checked.
        let ignored = try map.applyReport(from: worker, incarnation: incarnation, positions: positions, digests: digests)
        reportedSinceStart.insert(worker)
        var decisions = Self.noteLiveness(changes) + noteIgnored(ignored, from: worker)
        decisions += replan()
        decisions.append(.answer(WorkerAnswer(worker: worker, directives: directives(for: worker), mapVersion: map.version, epoch: epoch)))
        return decisions
    }

    func leadingEpoch() throws -> UInt64 {
        guard let epoch = role.epoch else { throw StrataError(.unavailable, "this coordinator is not the leader") }
        return epoch
    }

    /// The transitions worth an operator's attention: a state change of a worker already known.
    private static func noteLiveness(_ changes: [FailureDetector.Transition]) -> [CoordinatorDecision] {
        let changed = changes.filter { $0.from != nil && $0.from != $0.to }
        return changed.isEmpty ? [] : [.livenessChanged(changed)]
    }

    private mutating func noteIgnored(_ slots: IgnoredSlots, from worker: WorkerID) -> [CoordinatorDecision] {
        guard ignored[worker, default: IgnoredSlots()] != slots else { return [] }
        ignored[worker] = slots
        return slots.isEmpty ? [] : [.reportIgnored(worker, slots)]
    }

    /// Plans the next round; commits the map whenever it differs from the version committed
    /// (registrations, reports and liveness changes bump the version too, not only the plan),
    /// and the restart reconciliation when it changed (first: the map may no longer name the
    /// workers it waits for).
    private mutating func replan() -> [CoordinatorDecision] {
        var decisions: [CoordinatorDecision] = []
        if restart.confirm(reported: reportedSinceStart, in: map) {
            restartGeneration += 1
            decisions.append(.commitRestartPending(restart, generation: restartGeneration))
        }
        map = planner.plan(map).map
        if committedVersion != map.version {
            decisions.append(.commitMap(map))
            committedVersion = map.version
        }
        return decisions
    }

    /// The directive set for `worker` under the map now.
    public func directives(for worker: WorkerID) -> [SlotDirective] {
        map.directives(for: worker, rateLimitBytesPerSecond: settings.planner.fetchRateLimitBytesPerSecond)
    }
}
