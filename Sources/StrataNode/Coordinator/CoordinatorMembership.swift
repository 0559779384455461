import Foundation
import Logging
import StrataCluster
import StrataControlPlane
import StrataCore
import StrataWire
import Synchronization

/// The coordinator's membership shell around StrataCluster's pure logic: it feeds
/// registrations, heartbeats and timer ticks to the failure detector and the recovery
/// planner, persists the cluster map whenever it changes (before answering), and hands each
/// worker its directives.
final class CoordinatorMembership: Sendable {
    struct State {
        var map: ClusterMap
        var detector: FailureDetector
        var planner: RecoveryPlanner
        var clusterID: String
        /// The next sequence number to hand out per slot, and the durable ceiling below which
        /// numbers may be handed out without writing first (see `reserveSequences`).
        var nextSequence: [Int: UInt64] = [:]
        var sequenceCeilings: [Int: UInt64] = [:]
        /// What each worker said in its last heartbeat (tiers, disk use), for status only.
        var lastReports: [WorkerID: HeartbeatRequest] = [:]
        /// The map version written, or being written (nil: none yet).
        var persistedVersion: UInt64?
        /// Bumped with every change of the sequence ceilings / the restart reconciliation,
        /// so that their writes are applied in order (`CoordinatorControlPlane.persist`).
        var ceilingsGeneration: UInt64 = 0
        /// Writes moved replica positions since the map was last written (positions alone do
        /// not change the map's version).
        var positionsMoved = false
        /// Set by a takeover (etcd): a follower's view of the leader's map must not replace
        /// the state a leader took over with (and its restart reconciliation).
        var tookOver = false
        var restartGeneration: UInt64 = 0
        /// Slots whose high-water sequence is not known yet after a restart.
        var restart = RestartReconciliation()
        /// Workers heard from since this coordinator started.
        var reportedSinceStart: Set<WorkerID> = []
        /// What each worker's reports last left out (logged when it changes, not every beat).
        var ignored: [WorkerID: IgnoredSlots] = [:]
    }

    private let state: Mutex<State>
    private let heartbeatIntervalMs: Int
    private let rateLimit: UInt64
    private let clock: @Sendable () -> Duration
    private let epoch: Duration
    private let logger: Logger

    /// Takes the persisted map and the rest from `snapshot` (a new cluster when it holds no
    /// map). `now` is the failure detector's monotonic clock. What the start must write
    /// (a new cluster id, the restart reconciliation) is in `initialRecords`.
    init(config: StrataConfig, logger: Logger, now: @escaping @Sendable () -> Duration,
         controlPlane: CoordinatorControlPlane, snapshot: ControlPlaneSnapshot) throws {
        self.logger = logger
        self.controlPlane = controlPlane
        self.config = config
        heartbeatIntervalMs = config.coordinator.heartbeatIntervalMs
        rateLimit = UInt64(config.coordinator.recoveryRateBytesPerSecond)
        clock = now
        epoch = now()
        quorum = try WriteQuorum(config.coordinator)
        let (state, initial) = try Self.state(from: snapshot, config: config, quorum: quorum)
        self.state = Mutex(state)
        initialRecords = initial
        slots = try SlotHasher(slotCount: state.map.slotCount)
    }

    /// The coordinator's state as `snapshot` has it; a snapshot with a map is a restart (its
    /// slots wait for their replicas' reports, see `RestartReconciliation`). Also the records
    /// to write before serving.
    static func state(from snapshot: ControlPlaneSnapshot, config: StrataConfig, quorum: WriteQuorum, now: UInt64 = 0) throws -> (State, [ControlPlaneRecord: [UInt8]?]) {
        var initial: [ControlPlaneRecord: [UInt8]?] = [:]
        var clusterID = String(decoding: snapshot[.clusterID] ?? [], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if clusterID.isEmpty {
            clusterID = "strata-" + UUID().uuidString.lowercased().prefix(8)
            initial[.clusterID] = Array((clusterID + "\n").utf8)
        }
        let restarted = snapshot[.clusterMap] != nil
        var map = try snapshot[.clusterMap].map { try ClusterMap(json: Data($0)) } ?? ClusterMap(config.coordinator)
        // Acknowledged marks are durable before the acknowledgement: the map's marks (written
        // when membership changed) may lag them, never lead.
        map.raiseHighWaterMarks(snapshot.highWaterMarks)
        let ceilings = try snapshot[.sequenceCeilings].map { try JSONDecoder().decode([Int: UInt64].self, from: Data($0)) } ?? [:]
        let pending = try snapshot[.restartPending].map { try JSONDecoder().decode(RestartReconciliation.self, from: Data($0)) }
        let restart = restarted
            ? RestartReconciliation(restoring: map, ceilings: ceilings, quorum: quorum, pending: pending)
            : RestartReconciliation()
        if restarted { initial[.restartPending] = try restart.encoded() }
        // Every worker of the map gets a full detection period from now to report.
        let detector = FailureDetector(settings: try .init(config.coordinator), resuming: map, now: now)
        // Workers carry DROP out (WorkerMembership), so surplus copies are dropped once every
        // placed replica serves the slot and is up to date (RecoveryPlanner step 5).
        let planner = RecoveryPlanner(settings: try RecoveryPlanner.Settings(config.coordinator))
        return (State(map: map, detector: detector, planner: planner, clusterID: clusterID, sequenceCeilings: ceilings,
                      persistedVersion: restarted ? map.version : nil, restart: restart), initial)
    }

    let controlPlane: CoordinatorControlPlane
    let config: StrataConfig

    /// A new state as a whole (a coordinator taking the lead).
    func replaceState(_ fresh: State) {
        var fresh = fresh
        fresh.tookOver = true
        state.withLock { $0 = fresh }
    }

    /// The leadership ended: the leader's map may be followed again.
    func stepDown() {
        state.withLock { $0.tookOver = false }
    }

    func raiseMarks(_ marks: [Int: UInt64]) {
        state.withLock { $0.map.raiseHighWaterMarks(marks) }
    }

    /// A follower's map: the leader's, with nothing waiting for reconciliation here.
    func replaceMap(_ map: ClusterMap, clusterID: String?) {
        state.withLock { state in
            guard !state.tookOver else { return }
            state.map = map
            if let clusterID, !clusterID.isEmpty { state.clusterID = clusterID }
            state.restart = RestartReconciliation()
        }
    }
    /// Written before the coordinator serves (see `init`).
    let initialRecords: [ControlPlaneRecord: [UInt8]?]
    let quorum: WriteQuorum
    let slots: SlotHasher

    /// Hands out `count` fresh sequence numbers for `slot`, never reused, even across a crash
    /// of the coordinator: numbers are handed out only below a ceiling that is on disk first
    /// (raised 4096 at a time), and a restarted coordinator starts above the old ceiling.
    /// Gaps are harmless: a worker only requires each write's number to be above its last.
    func reserveSequences(slot: Int, count: Int) async throws -> ClosedRange<UInt64> {
        _ = try controlPlane.requireLeader()
        let (range, raise) = try state.withLock { (state: inout State) throws -> (ClosedRange<UInt64>, (bytes: [UInt8], generation: UInt64, previous: UInt64?)?) in
            guard !state.restart.contains(slot) else {
                throw StrataError(.unavailable, "slot \(slot) is not writable yet: the coordinator restarted and waits for the slot's replicas to report their positions; retry")
            }
            let ceiling = state.sequenceCeilings[slot] ?? 0
            guard max(ceiling, state.map.slots[slot].sequence) < MembershipLimits.maximumSequence - UInt64(count) - 8192 else {
                throw StrataError(.internal, "slot \(slot) has run out of sequence numbers (above \(MembershipLimits.maximumSequence))")
            }
            let first = max(state.nextSequence[slot] ?? (ceiling + 1), state.map.slots[slot].sequence + 1)
            let last = first + UInt64(count) - 1
            var raise: (bytes: [UInt8], generation: UInt64, previous: UInt64?)?
            if last > ceiling {
                let previous = state.sequenceCeilings[slot]
                state.sequenceCeilings[slot] = last + 4096
                state.ceilingsGeneration += 1
                raise = ([UInt8](try JSONEncoder().encode(state.sequenceCeilings)), state.ceilingsGeneration, previous)
            }
            state.nextSequence[slot] = last + 1
            return (first...last, raise)
        }
        if let raise {
            do {
                try await controlPlane.persist(.sequenceCeilings, raise.bytes, generation: raise.generation)
            } catch {
                // Not durable: the next reservation of the slot must write the ceiling again
                // (its numbers start above the old ceiling, so it will).
                state.withLock { state in
                    if state.sequenceCeilings[slot] == range.upperBound + 4096 { state.sequenceCeilings[slot] = raise.previous }
                }
                throw error
            }
        }
        return range
    }

    /// Where writes to `slot` go (serving replicas first), with their addresses.
    /// Also the slot's high-water sequence, which every replica must hold before new writes.
    func writeTargets(slot: Int) -> (targets: [(id: WorkerID, address: String)], replicas: [WorkerID], replicationFactor: Int, sequence: UInt64) {
        state.withLock { state in
            let ids = state.map.writeTargets(slot: slot)
            return (ids.compactMap { id in state.map.workers[id].map { (id, $0.address) } },
                    state.map.slots[slot].replicas, state.map.targetReplicaCount, state.map.slots[slot].sequence)
        }
    }

    /// One live replica of every slot (or of `slots`), grouped by worker, none of `excluding`
    /// (workers this query already tried), with the slots that cannot be read.
    func queryPlan(slots: [Int]? = nil, excluding: Set<WorkerID> = []) -> (assignments: [(worker: WorkerID, address: String, slots: [Int])], missing: [Int], stale: [Int]) {
        state.withLock { state in
            let plan = QueryPlanner.plan(state.map, slots: slots, excluding: excluding)
            let assignments = plan.workers.compactMap { id -> (WorkerID, String, [Int])? in
                guard let address = state.map.workers[id]?.address else { return nil }
                return (id, address, plan.assignments[id] ?? [])
            }
            // Until its replicas have reported after a restart, any copy of a slot may be behind.
            let asked = Set(slots ?? Array(0..<state.map.slotCount))
            let stale = Set(plan.staleSlots).union(state.restart.unconfirmed.intersection(asked)).subtracting(plan.missingSlots)
            return (assignments, plan.missingSlots, stale.sorted())
        }
    }

    /// Slot copies in flight, with how many sequence numbers each target has caught up so far
    /// and how many it needs (positions come from the targets' heartbeats), and the bytes the
    /// target reported received of those its source announced.
    func transfers() -> [StrataWire.SlotTransfer] {
        state.withLock { state in
            state.map.slots.flatMap(\.transfers).map { transfer in
                let held = state.map.position(of: transfer.target, slot: transfer.slot) ?? transfer.fromSequence
                let goal = state.map.slots[transfer.slot].sequence
                let bytes = state.lastReports[transfer.target]?.copies.first { $0.slot == UInt32(transfer.slot) }
                return StrataWire.SlotTransfer(
                    slot: UInt32(transfer.slot), sourceNode: transfer.source, targetNode: transfer.target,
                    bytesCopied: bytes?.bytesCopied ?? 0, bytesTotal: bytes?.bytesTotal ?? 0,
                    recordsCopied: held > transfer.fromSequence ? held - transfer.fromSequence : 0,
                    recordsTotal: goal > transfer.fromSequence ? goal - transfer.fromSequence : 0,
                    purpose: transfer.purpose.rawValue)
            }
        }
    }

    /// The slots among `slots` that may hold acknowledged data (a slot nobody wrote to cannot
    /// be missing data, even on a replica that holds nothing of it): those with a high-water
    /// sequence, and those a restarted coordinator has not confirmed yet (restart
    /// reconciliation counts every slot with a reserved sequence range as possibly written,
    /// because the persisted map's marks lag the writes; once the slot's replicas have
    /// reported, the mark is known). A slot whose only writes were never acknowledged
    /// anywhere holds nothing a query could miss.
    func writtenSlots(_ slots: some Sequence<Int>) -> [Int] {
        state.withLock { state in
            slots.filter {
                state.map.slots.indices.contains($0) && (state.map.slots[$0].sequence > 0 || state.restart.contains($0))
            }
        }
    }

    /// Each slot's high-water sequence in the map (slots never written are absent).
    func highWaterMarks() -> [Int: UInt64] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.map.slots.indices.filter { state.map.slots[$0].sequence > 0 }.map { ($0, state.map.slots[$0].sequence) })
        }
    }

    /// Records that `acks` hold `sequence` durably (moves their positions and the slot's mark).
    func recordWrite(slot: Int, sequence: UInt64, acks: [WorkerID]) throws {
        try state.withLock { (state: inout State) throws in
            try state.map.recordWrite(slot: slot, sequence: sequence, acks: acks)
            state.positionsMoved = true
        }
    }

    /// Milliseconds since this process started: the failure detector's clock.
    var nowMs: UInt64 {
        let elapsed = (clock() - epoch).components
        return UInt64(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)
    }

    /// A worker announces itself (at start or after the coordinator asked it to). The answer
    /// carries the incarnation the map assigned, which the worker's heartbeats must carry, and
    /// the slot count.
    func register(_ request: RegisterRequest) async throws -> RegisterResponse {
        _ = try controlPlane.requireLeader()
        let now = nowMs
        let (response, writes) = try state.withLock { (state: inout State) throws -> (RegisterResponse, PendingWrites) in
            let registration = WorkerRegistration(
                id: request.nodeID, address: request.address, zone: request.zone,
                weight: request.capacity.weight == 0 ? 1 : request.capacity.weight,
                positions: Self.positions(request.slots), digests: Self.digests(request.slots))
            let registered: (incarnation: UInt64, ignored: IgnoredSlots)
            do {
                registered = try state.map.register(registration)
            } catch let error as StrataError {
                throw StrataError(error.code, "cannot register \(request.nodeID) at \(request.address): \(error.message)")
            }
            state.map.apply(state.detector.heartbeat(from: request.nodeID, incarnation: registered.incarnation, now: now))
            state.reportedSinceStart.insert(request.nodeID)
            noteIgnored(registered.ignored, from: request.nodeID, &state)
            logger.info("worker registered", metadata: [
                "worker": "\(request.nodeID)", "address": "\(request.address)", "incarnation": "\(registered.incarnation)",
                "worker starts": "\(request.incarnation)",
            ])
            let writes = try replan(&state)
            return (RegisterResponse(clusterID: state.clusterID, heartbeatIntervalMs: UInt32(heartbeatIntervalMs),
                                     mapVersion: state.map.version, directives: directives(state.map, request.nodeID),
                                     incarnation: registered.incarnation, slotCount: UInt32(state.map.slotCount),
                                     coordinatorEpoch: controlPlane.epoch), writes)
        }
        try await persist(writes)
        return response
    }

    /// A worker's periodic report. One from an unknown worker, or with another incarnation than
    /// the one its registration was given (a previous process, a stray call), changes nothing:
    /// it is answered "reregister".
    func heartbeat(_ request: HeartbeatRequest) async throws -> HeartbeatResponse {
        _ = try controlPlane.requireLeader()
        let now = nowMs
        let (response, writes) = try state.withLock { (state: inout State) throws -> (HeartbeatResponse, PendingWrites) in
            guard state.map.acceptsHeartbeat(from: request.nodeID, incarnation: request.incarnation) else {
                return (HeartbeatResponse(mapVersion: state.map.version, reregister: true, coordinatorEpoch: controlPlane.epoch), PendingWrites())
            }
            state.map.apply(state.detector.heartbeat(from: request.nodeID, incarnation: request.incarnation, now: now))
            let ignored = try state.map.applyReport(from: request.nodeID, incarnation: request.incarnation,
                                                    positions: Self.positions(request.slots), digests: Self.digests(request.slots))
            noteIgnored(ignored, from: request.nodeID, &state)
            state.lastReports[request.nodeID] = request
            state.reportedSinceStart.insert(request.nodeID)
            let writes = try replan(&state)
            return (HeartbeatResponse(mapVersion: state.map.version, directives: directives(state.map, request.nodeID),
                                      coordinatorEpoch: controlPlane.epoch), writes)
        }
        try await persist(writes)
        return response
    }

    /// Logs what a worker's report left out, once per change (a worker that holds a slot
    /// outside the cluster reports it every beat).
    private func noteIgnored(_ ignored: IgnoredSlots, from worker: WorkerID, _ state: inout State) {
        guard state.ignored[worker, default: IgnoredSlots()] != ignored else { return }
        state.ignored[worker] = ignored
        guard !ignored.isEmpty else { return }
        logger.warning("ignoring part of a worker's report", metadata: [
            "worker": "\(worker)", "slots outside the cluster": "\(ignored.outOfRange)",
            "slots at absurd positions": "\(ignored.absurdPositions)",
        ])
    }

    /// Runs the failure detector (from the coordinator's timer).
    func tick() async throws {
        guard controlPlane.leader != nil else { return }
        let now = nowMs
        let writes = try state.withLock { (state: inout State) throws -> PendingWrites in
            state.map.apply(state.detector.tick(now: now))
            // Followers plan queries on the map the leader writes: once per tick, positions
            // that writes moved are written too, so their answers are not flagged stale for long.
            if controlPlane.isEtcd && state.positionsMoved {
                state.map.notePositionsMoved()
                state.positionsMoved = false
            }
            return try replan(&state)
        }
        try await persist(writes)
    }

    /// The map's summary and workers, for the status RPCs.
    func snapshot() -> (status: ClusterStatus, workers: [WorkerRecord], clusterID: String, reports: [WorkerID: HeartbeatRequest]) {
        state.withLock { state in
            // A slot still unconfirmed after a restart is not called fully replicated: nobody
            // knows yet whether its replicas are up to date.
            var status = state.map.status()
            let unknown = min(state.restart.unconfirmed.count, status.fullyReplicated)
            status.fullyReplicated -= unknown
            status.underReplicated += unknown
            return (status, state.map.workers.values.sorted { $0.id < $1.id }, state.clusterID, state.lastReports)
        }
    }

    /// What a change left to write before its caller answers.
    struct PendingWrites: Sendable {
        var restart: (bytes: [UInt8], generation: UInt64)?
        var map: (bytes: [UInt8], version: UInt64)?
    }

    /// Plans the next round; returns the map to write whenever it differs from the version
    /// written (registrations, reports and liveness changes bump the version too, not only
    /// the plan), and the restart reconciliation when it changed.
    private func replan(_ state: inout State) throws -> PendingWrites {
        var writes = PendingWrites()
        if state.restart.confirm(reported: state.reportedSinceStart) {
            state.restartGeneration += 1
            writes.restart = (try state.restart.encoded(), state.restartGeneration)
        }
        state.map = state.planner.plan(state.map).map
        if state.persistedVersion != state.map.version {
            writes.map = ([UInt8](try state.map.encodedJSON()), state.map.version)
            state.persistedVersion = state.map.version
        }
        return writes
    }

    /// Writes what `replan` left, in order; a map that could not be written is written again
    /// by the next change.
    private func persist(_ writes: PendingWrites) async throws {
        if let restart = writes.restart {
            try await controlPlane.persist(.restartPending, restart.bytes, generation: restart.generation)
        }
        if let map = writes.map {
            do {
                try await controlPlane.persist(.clusterMap, map.bytes, generation: map.version &+ 1)
            } catch {
                state.withLock { state in
                    if state.persistedVersion == map.version { state.persistedVersion = nil }
                }
                throw error
            }
        }
    }

    private func directives(_ map: ClusterMap, _ worker: WorkerID) -> [StrataWire.SlotDirective] {
        map.directives(for: worker, rateLimitBytesPerSecond: rateLimit).map { directive in
            switch directive {
            case .serve(let slot):
                StrataWire.SlotDirective(slot: UInt32(slot), action: .serve)
            case .fetch(let slot, _, let address, let from, let rate):
                StrataWire.SlotDirective(slot: UInt32(slot), action: .fetch, sourceAddress: address, fromSequence: from, rateLimitBytesPerSecond: rate)
            case .drop(let slot, let ifAtMost):
                StrataWire.SlotDirective(slot: UInt32(slot), action: .drop, fromSequence: ifAtMost)
            }
        }
    }

    private static func positions(_ slots: [SlotPosition]) -> [Int: UInt64] {
        Dictionary(slots.map { ($0.slot, $0.sequence) }, uniquingKeysWith: max)
    }

    private static func digests(_ slots: [SlotPosition]) -> [Int: UInt64] {
        Dictionary(slots.map { ($0.slot, $0.digest) }, uniquingKeysWith: { first, _ in first })
    }
}
