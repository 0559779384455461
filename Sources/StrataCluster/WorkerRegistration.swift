/// What a worker announces when it registers (mirrors `strata.v1.RegisterRequest`).
public struct WorkerRegistration: Sendable, Equatable {
    public var id: WorkerID
    public var address: String
    public var zone: String
    /// Relative capacity, within `MembershipLimits.weights`. The wire's "0 = unset" is mapped
    /// to 1 before it gets here.
    public var weight: Double
    /// Slots the worker already holds (after a restart): slot -> highest durable sequence.
    public var positions: [Int: UInt64]
    /// The digest of each held slot's live documents at its position (see `SlotProof`).
    public var digests: [Int: UInt64]

    public init(
        id: WorkerID, address: String, zone: String = "", weight: Double = 1, positions: [Int: UInt64] = [:],
        digests: [Int: UInt64] = [:]
    ) {
        self.id = id
        self.address = address
        self.zone = zone
        self.weight = weight
        self.positions = positions
        self.digests = digests
    }
}
