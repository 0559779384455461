import Foundation
import Logging
import StrataCluster
import StrataControlPlane
import StrataCore
import StrataWire
import Synchronization

/// The coordinator's membership shell around StrataCluster's `CoordinatorCore`: it keeps the
/// core under its lock, feeds it registrations, heartbeats, timer ticks, writes and the
/// leadership's changes, and carries out its decisions: commits to the control plane (made
/// after the lock is released; an answer or a sequence number waits for the commits decided
/// before it), answers to workers, logs.
final class CoordinatorMembership: Sendable {
    struct State {
        var core: CoordinatorCore
        var clusterID: String
        /// What each worker said in its last heartbeat (tiers, disk use), for status only.
        var lastReports: [WorkerID: HeartbeatRequest] = [:]
    }

    private let state: Mutex<State>
    private let heartbeatIntervalMs: Int
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
        heartbeatIntervalMs = config.coordinator.heartbeatIntervalMs
        clock = now
        epoch = now()
        settings = try CoordinatorCore.Settings(config.coordinator, publishesPositions: controlPlane.isEtcd)
        let role: CoordinatorCore.Role = controlPlane.leader == nil ? .follower : .leader(epoch: controlPlane.epoch)
        let (state, initial) = try Self.state(from: snapshot, settings: settings, role: role)
        self.state = Mutex(state)
        initialRecords = initial
        slots = try SlotHasher(slotCount: state.core.map.slotCount)
    }

    /// The coordinator's state as `snapshot` has it, acting as `role`; a snapshot with a map
    /// is a restart (its slots wait for their replicas' reports, see `RestartReconciliation`).
    /// Also the records to write before serving.
    static func state(from snapshot: ControlPlaneSnapshot, settings: CoordinatorCore.Settings, role: CoordinatorCore.Role,
                      now: UInt64 = 0) throws -> (State, [ControlPlaneRecord: [UInt8]?]) {
        var initial: [ControlPlaneRecord: [UInt8]?] = [:]
        var clusterID = clusterID(in: snapshot) ?? ""
        if clusterID.isEmpty {
            clusterID = "strata-" + UUID().uuidString.lowercased().prefix(8)
            initial[.clusterID] = Array((clusterID + "\n").utf8)
        }
        let (core, decisions) = try CoordinatorCore.start(settings: settings, restored: try restored(from: snapshot), role: role, now: now)
        for case .commitRestartPending(let restart, _) in decisions { initial[.restartPending] = try restart.encoded() }
        return (State(core: core, clusterID: clusterID), initial)
    }

    /// The records of `snapshot` the core starts from.
    static func restored(from snapshot: ControlPlaneSnapshot) throws -> CoordinatorCore.Restored {
        CoordinatorCore.Restored(
            map: try snapshot[.clusterMap].map { try ClusterMap(json: Data($0)) },
            highWaterMarks: snapshot.highWaterMarks,
            sequenceCeilings: try snapshot[.sequenceCeilings].map { try JSONDecoder().decode([Int: UInt64].self, from: Data($0)) } ?? [:],
            restartPending: try snapshot[.restartPending].map { try JSONDecoder().decode(RestartReconciliation.self, from: Data($0)) })
    }

    static func clusterID(in snapshot: ControlPlaneSnapshot) -> String? {
        snapshot[.clusterID].map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    let controlPlane: CoordinatorControlPlane
    let settings: CoordinatorCore.Settings
    var quorum: WriteQuorum { settings.quorum }

    /// Feeds `event` to the core under the lock.
    private func handle(_ event: CoordinatorEvent) throws -> [CoordinatorDecision] {
        try state.withLock { try $0.core.handle(event) }
    }

    /// Runs `body` on the state under the lock (for the leadership's changes).
    func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0) }
    }

    /// Written before the coordinator serves (see `init`).
    let initialRecords: [ControlPlaneRecord: [UInt8]?]
    let slots: SlotHasher

    /// Hands out `count` fresh sequence numbers for `slot`, never reused, even across a crash
    /// of the coordinator (see `CoordinatorCore.reserveSequences`): a raised ceiling is durable
    /// before the numbers are used.
    func reserveSequences(slot: Int, count: Int) async throws -> ClosedRange<UInt64> {
        _ = try controlPlane.requireLeader()
        let decisions = try handle(.sequencesRequested(slot: slot, count: count))
        try await carryOut(decisions)
        guard let range = decisions.reserved else { throw StrataError(.internal, "no sequence numbers were reserved for slot \(slot)") }
        return range
    }

    /// Where writes to `slot` go (serving replicas first), with their addresses.
    /// Also the slot's high-water sequence, which every replica must hold before new writes.
    func writeTargets(slot: Int) -> (targets: [(id: WorkerID, address: String)], replicas: [WorkerID], replicationFactor: Int, sequence: UInt64) {
        state.withLock { state in
            let ids = state.core.map.writeTargets(slot: slot)
            return (ids.compactMap { id in state.core.map.workers[id].map { (id, $0.address) } },
                    state.core.map.slots[slot].replicas, state.core.map.targetReplicaCount, state.core.map.slots[slot].sequence)
        }
    }

    /// Whether some slot of `slots` has a reachable replica outside `excluding`: the replicas
    /// a `queryPlan(slots:excluding:)` could give it. A read of slots with none starts no
    /// hedge timer (`HedgedReads`), since a hedge could ask nobody.
    func hasOtherReplica(of slots: [Int], excluding: Set<WorkerID>) -> Bool {
        state.withLock { state in
            let map = state.core.map
            return slots.contains { slot in
                map.slots.indices.contains(slot) && map.slots[slot].replicas.contains { map.isReachable($0) && !excluding.contains($0) }
            }
        }
    }

    /// One live replica of every slot (or of `slots`), grouped by worker, none of `excluding`
    /// (workers this query already tried), with the slots that cannot be read.
    func queryPlan(slots: [Int]? = nil, excluding: Set<WorkerID> = []) -> (assignments: [(worker: WorkerID, address: String, slots: [Int])], missing: [Int], stale: [Int]) {
        state.withLock { state in
            let plan = QueryPlanner.plan(state.core.map, slots: slots, excluding: excluding)
            let assignments = plan.workers.compactMap { id -> (WorkerID, String, [Int])? in
                guard let address = state.core.map.workers[id]?.address else { return nil }
                return (id, address, plan.assignments[id] ?? [])
            }
            // Until its replicas have reported after a restart, any copy of a slot may be behind.
            let asked = Set(slots ?? Array(0..<state.core.map.slotCount))
            let stale = Set(plan.staleSlots).union(state.core.restart.unconfirmed.intersection(asked)).subtracting(plan.missingSlots)
            return (assignments, plan.missingSlots, stale.sorted())
        }
    }

    /// Slot copies in flight, with how many sequence numbers each target has caught up so far
    /// and how many it needs (positions come from the targets' heartbeats), and the bytes the
    /// target reported received of those its source announced.
    func transfers() -> [StrataWire.SlotTransfer] {
        state.withLock { state in
            state.core.map.slots.flatMap(\.transfers).map { transfer in
                let held = state.core.map.position(of: transfer.target, slot: transfer.slot) ?? transfer.fromSequence
                let goal = state.core.map.slots[transfer.slot].sequence
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
                state.core.map.slots.indices.contains($0) && (state.core.map.slots[$0].sequence > 0 || state.core.restart.contains($0))
            }
        }
    }

    /// Each slot's high-water sequence in the map (slots never written are absent).
    func highWaterMarks() -> [Int: UInt64] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.core.map.slots.indices.filter { state.core.map.slots[$0].sequence > 0 }.map { ($0, state.core.map.slots[$0].sequence) })
        }
    }

    /// Records that `acks` hold `sequence` durably (moves their positions and the slot's mark).
    func recordWrite(slot: Int, sequence: UInt64, acks: [WorkerID]) throws {
        _ = try handle(.writeRecorded(slot: slot, sequence: sequence, acks: acks))
    }

    /// Milliseconds since this process started: the failure detector's clock.
    var nowMs: UInt64 {
        UInt64(max(0, (clock() - epoch).milliseconds))
    }

    /// A worker announces itself (at start or after the coordinator asked it to). The answer
    /// carries the incarnation the map assigned, which the worker's heartbeats must carry, and
    /// the slot count.
    func register(_ request: RegisterRequest) async throws -> RegisterResponse {
        _ = try controlPlane.requireLeader()
        let registration = WorkerRegistration(
            id: request.nodeID, address: request.address, zone: request.zone,
            weight: request.capacity.weight == 0 ? 1 : request.capacity.weight,
            positions: Self.positions(request.slots), digests: Self.digests(request.slots))
        let (decisions, clusterID): ([CoordinatorDecision], String)
        do {
            (decisions, clusterID) = try state.withLock { state in
                (try state.core.handle(.workerRegistered(registration, now: nowMs)), state.clusterID)
            }
        } catch let error as StrataError {
            throw StrataError(error.code, "cannot register \(request.nodeID) at \(request.address): \(error.message)")
        }
        let answer = try await carryOutAnswering(decisions)
        logger.info("worker registered", metadata: [
            "worker": "\(request.nodeID)", "address": "\(request.address)", "incarnation": "\(answer.incarnation ?? 0)",
            "worker starts": "\(request.incarnation)",
        ])
        return RegisterResponse(clusterID: clusterID, heartbeatIntervalMs: UInt32(heartbeatIntervalMs),
                                mapVersion: answer.mapVersion, directives: Self.wire(answer.directives),
                                incarnation: answer.incarnation ?? 0, slotCount: UInt32(slots.slotCount),
                                coordinatorEpoch: answer.epoch)
    }

    /// A worker's periodic report. One from an unknown worker, or with another incarnation than
    /// the one its registration was given (a previous process, a stray call), changes nothing:
    /// it is answered "reregister".
    func heartbeat(_ request: HeartbeatRequest) async throws -> HeartbeatResponse {
        _ = try controlPlane.requireLeader()
        let decisions = try state.withLock { state in
            let decisions = try state.core.handle(.heartbeat(
                worker: request.nodeID, incarnation: request.incarnation, positions: Self.positions(request.slots),
                digests: Self.digests(request.slots), now: nowMs))
            if decisions.answer?.reregister == false { state.lastReports[request.nodeID] = request }
            return decisions
        }
        let answer = try await carryOutAnswering(decisions)
        return HeartbeatResponse(mapVersion: answer.mapVersion, directives: Self.wire(answer.directives),
                                 reregister: answer.reregister, coordinatorEpoch: answer.epoch)
    }

    /// Runs the failure detector (from the coordinator's timer).
    func tick() async throws {
        guard controlPlane.leader != nil else { return }
        try await carryOut(try handle(.timeAdvanced(now: nowMs)))
    }

    /// The map's summary and workers, for the status RPCs.
    func snapshot() -> (status: ClusterStatus, workers: [WorkerRecord], clusterID: String, reports: [WorkerID: HeartbeatRequest]) {
        state.withLock { state in
            // A slot still unconfirmed after a restart is not called fully replicated: nobody
            // knows yet whether its replicas are up to date.
            var status = state.core.map.status()
            let unknown = min(state.core.restart.unconfirmed.count, status.fullyReplicated)
            status.fullyReplicated -= unknown
            status.underReplicated += unknown
            return (status, state.core.map.workers.values.sorted { $0.id < $1.id }, state.clusterID, state.lastReports)
        }
    }

    /// Carries out the core's decisions in order, outside the lock: commits first (each
    /// durable before what follows is acted on; a commit of one record never replaces a later
    /// one, see `CoordinatorControlPlane.persist`), logs; returns the answer among them.
    @discardableResult
    private func carryOut(_ decisions: [CoordinatorDecision]) async throws -> WorkerAnswer? {
        var answer: WorkerAnswer?
        for decision in decisions {
            switch decision {
            case .commitRestartPending(let restart, let generation):
                try await controlPlane.persist(.restartPending, try restart.encoded(), generation: generation)
            case .commitMap(let map):
                do {
                    try await controlPlane.persist(.clusterMap, [UInt8](try map.encodedJSON()), generation: map.version &+ 1)
                } catch {
                    _ = try? handle(.mapCommitFailed(version: map.version))
                    throw error
                }
            case .commitSequenceCeilings(let ceilings, let generation, let slot, let previous):
                do {
                    try await controlPlane.persist(.sequenceCeilings, [UInt8](try JSONEncoder().encode(ceilings)), generation: generation)
                } catch {
                    // Not durable: the next reservation of the slot must write the ceiling again
                    // (its numbers start above the old ceiling, so it will).
                    _ = try? handle(.ceilingCommitFailed(slot: slot, ceiling: ceilings[slot] ?? 0, previous: previous))
                    throw error
                }
            case .reportIgnored(let worker, let ignored):
                logger.warning("ignoring part of a worker's report", metadata: [
                    "worker": "\(worker)", "slots outside the cluster": "\(ignored.outOfRange)",
                    "slots at absurd positions": "\(ignored.absurdPositions)",
                ])
            case .livenessChanged(let changes):
                for change in changes {
                    let metadata: Logger.Metadata = [
                        "worker": "\(change.worker)", "incarnation": "\(change.incarnation)",
                        "was": "\(change.from?.rawValue ?? "unknown")",
                    ]
                    switch change.to {
                    case .live: logger.info("worker heard from again", metadata: metadata)
                    case .suspect: logger.warning("worker suspect: silent past coordinator.suspect_after_ms", metadata: metadata)
                    case .dead: logger.warning("worker dead: silent past coordinator.dead_after_ms", metadata: metadata)
                    }
                }
            case .answer(let given):
                answer = given
            case .sequencesReserved:
                break
            }
        }
        return answer
    }

    /// The answer of a registration's or heartbeat's decisions (the core always gives one).
    private func carryOutAnswering(_ decisions: [CoordinatorDecision]) async throws -> WorkerAnswer {
        guard let answer = try await carryOut(decisions) else { throw StrataError(.internal, "the coordinator's core gave no answer") }
        return answer
    }

    private static func wire(_ directives: [StrataCluster.SlotDirective]) -> [StrataWire.SlotDirective] {
        directives.map { directive in
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
