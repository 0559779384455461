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
    /// Increases on every start of the worker process.
    public var incarnation: UInt64
    /// True once the worker was asked to leave: it gets no new slots, keeps serving until its
    /// slots are replicated elsewhere, then receives DROP for each; when it holds nothing the
    /// shell may remove it.
    public var draining: Bool
    /// Last reported position per slot it holds: slot -> highest durable sequence.
    /// Kept after the worker dies so that it can catch up by delta when it returns.
    public var positions: [Int: UInt64]

    public init(
        id: WorkerID, address: String, zone: String = "", weight: Double = 1, state: WorkerState = .live,
        incarnation: UInt64 = 0, draining: Bool = false, positions: [Int: UInt64] = [:]
    ) {
        self.id = id
        self.address = address
        self.zone = zone
        self.weight = weight
        self.state = state
        self.incarnation = incarnation
        self.draining = draining
        self.positions = positions
    }

    /// Not dead: its data can be read and it can take directives.
    public var isReachable: Bool { state != .dead }

    /// May receive new replicas: not dead and not draining.
    public var isEligible: Bool { state != .dead && !draining }
}
