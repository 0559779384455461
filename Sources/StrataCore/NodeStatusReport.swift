/// The role a node plays in the cluster.
public enum NodeRole: String, Sendable, Codable {
    case coordinator, worker
}

/// A node's lifecycle state.
public enum NodeState: String, Sendable, Codable {
    case unknown
    /// Recovering its data; health reports NOT_SERVING.
    case starting
    case serving
    /// Missed heartbeats (coordinator's view).
    case suspect
    /// Confirmed dead (coordinator's view); its slots are re-replicated.
    case dead
    /// Shutting down gracefully.
    case draining
}

/// The durable position of one slot on one worker.
public struct SlotPosition: Hashable, Sendable, Codable {
    public var slot: Int
    /// Highest applied and durable sequence number.
    public var sequence: UInt64
    public var chunks: Int
    public var tokens: Int
    /// The digest of the slot's live documents at `sequence` (see common.proto's SlotPosition).
    public var digest: UInt64

    public init(slot: Int, sequence: UInt64, chunks: Int = 0, tokens: Int = 0, digest: UInt64 = 0) {
        self.slot = slot
        self.sequence = sequence
        self.chunks = chunks
        self.tokens = tokens
        self.digest = digest
    }
}

/// Everything a node reports about itself (the status RPCs, `strata health`).
public struct NodeStatusReport: Sendable, Codable, Equatable {
    public var nodeID: String
    public var role: NodeRole
    public var address: String
    public var zone: String
    public var state: NodeState
    public var version: String
    public var uptimeSeconds: Double
    public var startedAtUnix: Int64
    public var tiers: [TierStats]
    public var walBytes: UInt64
    public var segmentBytes: UInt64
    public var slots: [SlotPosition]
    public var metricsAddress: String
    /// Things a human should see, e.g. that the hot tier is emulated in host memory.
    public var notes: [String]
    public var requestsServed: UInt64
    /// A coordinator's role, lease and map freshness; nil for a worker.
    public var controlPlane: ControlPlaneStatus?
    /// A worker's IVF indexes, one per namespace past the switch (in process and /metrics;
    /// the status RPC carries them as notes).
    public var vectorIndexes: [VectorIndexReport] = []

    public init(
        nodeID: String, role: NodeRole, address: String, zone: String = "", state: NodeState,
        version: String, uptimeSeconds: Double, startedAtUnix: Int64, tiers: [TierStats] = [],
        walBytes: UInt64 = 0, segmentBytes: UInt64 = 0, slots: [SlotPosition] = [],
        metricsAddress: String = "", notes: [String] = [], requestsServed: UInt64 = 0,
        controlPlane: ControlPlaneStatus? = nil
    ) {
        self.nodeID = nodeID
        self.role = role
        self.address = address
        self.zone = zone
        self.state = state
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.startedAtUnix = startedAtUnix
        self.tiers = tiers
        self.walBytes = walBytes
        self.segmentBytes = segmentBytes
        self.slots = slots
        self.metricsAddress = metricsAddress
        self.notes = notes
        self.requestsServed = requestsServed
        self.controlPlane = controlPlane
    }
}

/// The version every Strata binary reports.
public enum StrataVersion {
    public static let string = "0.1.0"
}
