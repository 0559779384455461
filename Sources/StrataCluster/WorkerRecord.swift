/// What the cluster map remembers about one worker.
public struct WorkerRecord: Sendable, Equatable, Codable {
    /// The node id the worker registered with.
    public var id: WorkerID
    /// host:port the worker serves `strata.v1.Worker` on; fetch directives name it as a source.
    public var address: String
    /// Zone label ("" = none). Replicas of a slot go to distinct zones where zones are given.
    public var zone: String
    /// Relative capacity for placement (> 0; 2.0 takes about twice the slots of 1.0).
    public var weight: Double
    /// Liveness, driven by `FailureDetector`.
    public var state: WorkerState
    /// Assigned by the map at each registration (one more than the last): heartbeats must
    /// carry exactly it, so a stray heartbeat with any other number changes nothing.
    public var incarnation: UInt64
    /// True once the worker was asked to leave: it gets no new slots, keeps serving until its
    /// slots are replicated elsewhere, then receives DROP for each; when it holds nothing the
    /// shell may remove it.
    public var draining: Bool
    /// Last reported position per slot it holds: slot -> highest durable sequence.
    /// Kept after the worker dies so that it can catch up by delta when it returns.
    public var positions: [Int: UInt64]
    /// What the worker's last report proved per slot (position and digest as reported; a
    /// position raised by acknowledgements has no proof). See `SlotProof`.
    public var proofs: [Int: SlotProof]
    /// The slots this worker holds on its word alone: filled by a copy (a FETCH that
    /// completed) and not proven since, or whose proof disagreed with another worker's at the
    /// same sequence. A slot leaves the set when the worker's proof equals another reachable
    /// worker's at the same sequence, or when the worker stops holding it. A replica that took
    /// a slot's writes itself (acknowledged to the coordinator) is never in it.
    public var unproven: Set<Int>

    public init(
        id: WorkerID, address: String, zone: String = "", weight: Double = 1, state: WorkerState = .live,
        incarnation: UInt64 = 0, draining: Bool = false, positions: [Int: UInt64] = [:], proofs: [Int: SlotProof] = [:],
        unproven: Set<Int> = []
    ) {
        self.id = id
        self.address = address
        self.zone = zone
        self.weight = weight
        self.state = state
        self.incarnation = incarnation
        self.draining = draining
        self.positions = positions
        self.proofs = proofs
        self.unproven = unproven
    }

    enum CodingKeys: String, CodingKey {
        case id, address, zone, weight, state, incarnation, draining, positions, proofs, unproven
    }

    /// Maps written before proofs existed have none (the next report brings them).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(WorkerID.self, forKey: .id)
        address = try container.decode(String.self, forKey: .address)
        zone = try container.decode(String.self, forKey: .zone)
        weight = try container.decode(Double.self, forKey: .weight)
        state = try container.decode(WorkerState.self, forKey: .state)
        incarnation = try container.decode(UInt64.self, forKey: .incarnation)
        draining = try container.decode(Bool.self, forKey: .draining)
        positions = try container.decode([Int: UInt64].self, forKey: .positions)
        proofs = try container.decodeIfPresent([Int: SlotProof].self, forKey: .proofs) ?? [:]
        unproven = try container.decodeIfPresent(Set<Int>.self, forKey: .unproven) ?? []
    }

    /// Not dead: its data can be read and it can take directives.
    public var isReachable: Bool { state != .dead }

    /// May receive new replicas: not dead and not draining.
    public var isEligible: Bool { state != .dead && !draining }
}
