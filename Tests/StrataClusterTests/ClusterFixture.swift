import Testing
import StrataCluster

/// Test double: a cluster map plus workers that carry out directives instantly, for unit tests
/// of the planner. (The seeded simulation models workers in more detail.)
struct ClusterFixture {
    var map: ClusterMap
    var planner: RecoveryPlanner

    init(
        workers: [String], zones: [String]? = nil, weights: [Double]? = nil, slots: Int = 64, replicas: Int = 3,
        settings: RecoveryPlanner.Settings = .default
    ) throws {
        map = try ClusterMap(slotCount: slots, replicationFactor: replicas)
        planner = RecoveryPlanner(settings: settings)
        for (index, id) in workers.enumerated() {
            try register(id, zone: zones?[index] ?? "", weight: weights?[index] ?? 1)
        }
    }

    mutating func register(_ id: String, zone: String = "", weight: Double = 1, positions: [Int: UInt64] = [:]) throws {
        try map.register(
            WorkerRegistration(id: id, address: "\(id):7401", zone: zone, weight: weight, positions: positions,
                digests: Self.digests(positions)))
    }

    /// Test double of a slot digest: every copy of a slot at one sequence holds the same data
    /// here, so its digest is a function of the two.
    static func digest(slot: Int, sequence: UInt64) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(utf8: "\(slot)@\(sequence)")
        return hasher.finalize()
    }

    static func digests(_ positions: [Int: UInt64]) -> [Int: UInt64] {
        positions.reduce(into: [:]) { $0[$1.key] = digest(slot: $1.key, sequence: $1.value) }
    }

    @discardableResult
    mutating func plan() -> RecoveryPlan {
        let plan = planner.plan(map)
        map = plan.map
        return plan
    }

    mutating func setState(_ id: String, _ state: WorkerState) {
        let record = map.workers[id]!
        map.apply([FailureDetector.Transition(worker: id, from: record.state, to: state, incarnation: record.incarnation)])
    }

    mutating func report(_ id: String, _ positions: [Int: UInt64]) throws {
        try map.applyReport(from: id, incarnation: map.workers[id]!.incarnation, positions: positions, digests: Self.digests(positions))
    }

    /// `count` acknowledged writes to `slot` on every reachable serving replica.
    mutating func write(slot: Int, count: UInt64 = 1) throws {
        let sequence = map.slots[slot].sequence + count
        let acks = map.slots[slot].replicas.filter { map.workers[$0]!.isReachable }
        try map.recordWrite(slot: slot, sequence: sequence, acks: acks)
    }

    /// Carries out every reachable worker's FETCH (instantly complete) and DROP directives.
    mutating func carryOut(_ plan: RecoveryPlan) throws {
        for (id, directives) in plan.allDirectives.sorted(by: { $0.key < $1.key }) {
            var positions = map.workers[id]!.positions
            for directive in directives {
                switch directive {
                case .fetch(let slot, let source, _, _, _):
                    if let held = map.workers[source]!.positions[slot] { positions[slot] = held }
                case .drop(let slot, _):
                    positions[slot] = nil
                case .serve:
                    break
                }
            }
            try report(id, positions)
        }
    }

    /// Plans and carries out until a round changes nothing; returns the rounds it took.
    @discardableResult
    mutating func runToQuiescence(maxRounds: Int = 500) throws -> Int {
        for round in 1...maxRounds {
            let plan = plan()
            if plan.isQuiescent { return round }
            try carryOut(plan)
        }
        Issue.record("no quiescence after \(maxRounds) rounds")
        return maxRounds
    }
}
