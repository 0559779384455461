import StrataCore

/// The coordinator's cluster map: which worker serves which slot, and what it knows about workers.
///
/// A value type with no I/O. The coordinator shell feeds it registrations, reports and failure
/// transitions, asks `RecoveryPlanner` for the next map, persists it atomically as JSON
/// (`ClusterMap+Codable.swift`) and answers each worker with `directives(for:)`.
public struct ClusterMap: Sendable, Equatable {
    /// The JSON format version written by this code; a map with another version is refused.
    public static let currentFormatVersion = 1

    /// S, fixed at cluster creation.
    public let slotCount: Int
    /// R, the replicas per slot wanted (capped by the number of eligible workers).
    public let replicationFactor: Int
    /// Increases whenever assignments, transfers, drops or membership change (not on reports).
    public internal(set) var version: UInt64
    /// One record per slot, indexed by slot number.
    public internal(set) var slots: [SlotAssignment]
    /// Every known worker by id, including dead ones (until removed).
    public internal(set) var workers: [WorkerID: WorkerRecord]

    /// An empty map. Refuses `slotCount` outside the hasher's range and `replicationFactor < 1`.
    public init(slotCount: Int = 256, replicationFactor: Int = 3) throws {
        _ = try SlotHasher(slotCount: slotCount)
        guard replicationFactor >= 1, replicationFactor <= 16 else {
            throw StrataError.invalidArgument("replicas: \(replicationFactor) is out of range; use 1...16")
        }
        self.slotCount = slotCount
        self.replicationFactor = replicationFactor
        self.version = 0
        self.slots = Array(repeating: SlotAssignment(), count: slotCount)
        self.workers = [:]
    }

    /// A map for the coordinator's settings (`slots`, `replicas`).
    public init(_ config: CoordinatorConfig) throws {
        try self.init(slotCount: config.slots, replicationFactor: config.replicas)
    }

    /// Workers that may receive new replicas (not dead, not draining), sorted by id.
    public var eligibleWorkers: [WorkerRecord] {
        workers.values.filter(\.isEligible).sorted { $0.id < $1.id }
    }

    /// The replicas each slot should have now: min(R, eligible workers).
    public var targetReplicaCount: Int {
        min(replicationFactor, workers.values.lazy.filter(\.isEligible).count)
    }

    /// True when `worker` is known and not dead.
    public func isReachable(_ worker: WorkerID) -> Bool {
        workers[worker]?.isReachable ?? false
    }

    /// The position `worker` last reported for `slot`, if it holds the slot.
    public func position(of worker: WorkerID, slot: Int) -> UInt64? {
        workers[worker]?.positions[slot]
    }

    /// True when `worker` is reachable and holds `slot` at its high-water sequence. When no
    /// write ever reached the slot (sequence 0) every reachable worker is trivially up to date.
    public func isUpToDate(_ worker: WorkerID, slot: Int) -> Bool {
        guard let record = workers[worker], record.isReachable else { return false }
        let sequence = slots[slot].sequence
        if sequence == 0 { return true }
        guard let held = record.positions[slot] else { return false }
        return held >= sequence
    }

    /// Validates a slot number coming from outside, naming `field`.
    func checkSlot(_ slot: Int, field: String) throws {
        guard slot >= 0, slot < slotCount else {
            throw StrataError.invalidArgument("\(field): slot \(slot) is out of range 0..<\(slotCount)")
        }
    }
}
