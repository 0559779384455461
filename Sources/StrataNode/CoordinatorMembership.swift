import Foundation
import Logging
import StrataCluster
import StrataCore
import StrataStore
import StrataWire
import Synchronization

/// The coordinator's membership shell around StrataCluster's pure logic: it feeds
/// registrations, heartbeats and timer ticks to the failure detector and the recovery
/// planner, persists the cluster map whenever it changes (before answering), and hands each
/// worker its directives.
final class CoordinatorMembership: Sendable {
    private struct State {
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
        /// The map version on disk (nil: none written yet).
        var persistedVersion: UInt64?
        /// Slots whose high-water sequence is not known yet after a restart.
        var restart = RestartReconciliation()
        /// Workers heard from since this coordinator started.
        var reportedSinceStart: Set<WorkerID> = []
        /// What each worker's reports last left out (logged when it changes, not every beat).
        var ignored: [WorkerID: IgnoredSlots] = [:]
    }

    private let state: Mutex<State>
    private let mapPath: String
    private let heartbeatIntervalMs: Int
    private let rateLimit: UInt64
    private let clock: @Sendable () -> Duration
    private let epoch: Duration
    private let logger: Logger

    /// Loads the persisted map from `dataDirectory` (or creates a new cluster). `now` is the
    /// failure detector's monotonic clock.
    init(config: StrataConfig, logger: Logger, now: @escaping @Sendable () -> Duration) throws {
        self.logger = logger
        mapPath = config.node.dataDir + "/cluster-map.json"
        heartbeatIntervalMs = config.coordinator.heartbeatIntervalMs
        rateLimit = UInt64(config.coordinator.recoveryRateBytesPerSecond)
        clock = now
        epoch = now()
        let idPath = config.node.dataDir + "/cluster-id"
        var clusterID = (try? String(contentsOfFile: idPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if clusterID.isEmpty {
            clusterID = "strata-" + UUID().uuidString.lowercased().prefix(8)
            try AtomicFile.replace(idPath, with: Array((clusterID + "\n").utf8))
        }
        let map: ClusterMap
        if let data = FileManager.default.contents(atPath: mapPath) {
            map = try ClusterMap(json: data)
        } else {
            map = try ClusterMap(config.coordinator)
        }
        let detector = FailureDetector(settings: try .init(config.coordinator), resuming: map, now: 0)
        ceilingsPath = config.node.dataDir + "/sequence-ceilings.json"
        var ceilings: [Int: UInt64] = [:]
        if let data = FileManager.default.contents(atPath: ceilingsPath) {
            ceilings = try JSONDecoder().decode([Int: UInt64].self, from: data)
        }
        // Workers carry DROP out (WorkerMembership), so surplus copies are dropped once every
        // placed replica serves the slot and is up to date (RecoveryPlanner step 5).
        let plannerSettings = try RecoveryPlanner.Settings(config.coordinator)
        let restarted = FileManager.default.fileExists(atPath: mapPath)
        let quorum = try WriteQuorum(config.coordinator)
        pendingPath = config.node.dataDir + "/restart-pending.json"
        let restart = restarted
            ? RestartReconciliation(restoring: map, ceilings: ceilings, quorum: quorum, pending: try RestartReconciliation.load(pendingPath))
            : RestartReconciliation()
        if restarted { try restart.save(pendingPath) }
        state = Mutex(State(map: map, detector: detector, planner: RecoveryPlanner(settings: plannerSettings),
                            clusterID: clusterID, sequenceCeilings: ceilings, persistedVersion: restarted ? map.version : nil,
                            restart: restart))
        self.quorum = quorum
        slots = try SlotHasher(slotCount: map.slotCount)
    }

    private let ceilingsPath: String
    private let pendingPath: String
    let quorum: WriteQuorum
    let slots: SlotHasher

    /// Hands out `count` fresh sequence numbers for `slot`, never reused, even across a crash
    /// of the coordinator: numbers are handed out only below a ceiling that is on disk first
    /// (raised 4096 at a time), and a restarted coordinator starts above the old ceiling.
    /// Gaps are harmless: a worker only requires each write's number to be above its last.
    func reserveSequences(slot: Int, count: Int) throws -> ClosedRange<UInt64> {
        try state.withLock { (state: inout State) throws -> ClosedRange<UInt64> in
            guard !state.restart.contains(slot) else {
                throw StrataError(.unavailable, "slot \(slot) is not writable yet: the coordinator restarted and waits for the slot's replicas to report their positions; retry")
            }
            let ceiling = state.sequenceCeilings[slot] ?? 0
            guard max(ceiling, state.map.slots[slot].sequence) < MembershipLimits.maximumSequence - UInt64(count) - 8192 else {
                throw StrataError(.internal, "slot \(slot) has run out of sequence numbers (above \(MembershipLimits.maximumSequence))")
            }
            let first = max(state.nextSequence[slot] ?? (ceiling + 1), state.map.slots[slot].sequence + 1)
            let last = first + UInt64(count) - 1
            if last > ceiling {
                state.sequenceCeilings[slot] = last + 4096
                try AtomicFile.replace(ceilingsPath, with: [UInt8](try JSONEncoder().encode(state.sequenceCeilings)))
            }
            state.nextSequence[slot] = last + 1
            return first...last
        }
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

    /// Records that `acks` hold `sequence` durably (moves their positions and the slot's mark).
    func recordWrite(slot: Int, sequence: UInt64, acks: [WorkerID]) throws {
        try state.withLock { (state: inout State) throws in
            try state.map.recordWrite(slot: slot, sequence: sequence, acks: acks)
        }
    }

    /// Milliseconds since this process started: the failure detector's clock.
    private var nowMs: UInt64 {
        let elapsed = (clock() - epoch).components
        return UInt64(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)
    }

    /// A worker announces itself (at start or after the coordinator asked it to). The answer
    /// carries the incarnation the map assigned, which the worker's heartbeats must carry, and
    /// the slot count.
    func register(_ request: RegisterRequest) throws -> RegisterResponse {
        let now = nowMs
        return try state.withLock { (state: inout State) throws -> RegisterResponse in
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
            try replan(&state)
            return RegisterResponse(clusterID: state.clusterID, heartbeatIntervalMs: UInt32(heartbeatIntervalMs),
                                    mapVersion: state.map.version, directives: directives(state.map, request.nodeID),
                                    incarnation: registered.incarnation, slotCount: UInt32(state.map.slotCount))
        }
    }

    /// A worker's periodic report. One from an unknown worker, or with another incarnation than
    /// the one its registration was given (a previous process, a stray call), changes nothing:
    /// it is answered "reregister".
    func heartbeat(_ request: HeartbeatRequest) throws -> HeartbeatResponse {
        let now = nowMs
        return try state.withLock { (state: inout State) throws -> HeartbeatResponse in
            guard state.map.acceptsHeartbeat(from: request.nodeID, incarnation: request.incarnation) else {
                return HeartbeatResponse(mapVersion: state.map.version, reregister: true)
            }
            state.map.apply(state.detector.heartbeat(from: request.nodeID, incarnation: request.incarnation, now: now))
            let ignored = try state.map.applyReport(from: request.nodeID, incarnation: request.incarnation,
                                                    positions: Self.positions(request.slots), digests: Self.digests(request.slots))
            noteIgnored(ignored, from: request.nodeID, &state)
            state.lastReports[request.nodeID] = request
            state.reportedSinceStart.insert(request.nodeID)
            try replan(&state)
            return HeartbeatResponse(mapVersion: state.map.version, directives: directives(state.map, request.nodeID))
        }
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
    func tick() throws {
        let now = nowMs
        try state.withLock { (state: inout State) throws in
            state.map.apply(state.detector.tick(now: now))
            try replan(&state)
        }
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

    /// Plans the next round and persists the map whenever it differs from the version on disk
    /// (registrations, reports and liveness changes bump the version too, not only the plan).
    private func replan(_ state: inout State) throws {
        if state.restart.confirm(reported: state.reportedSinceStart) { try state.restart.save(pendingPath) }
        state.map = state.planner.plan(state.map).map
        if state.persistedVersion != state.map.version {
            try AtomicFile.replace(mapPath, with: [UInt8](try state.map.encodedJSON()))
            state.persistedVersion = state.map.version
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
