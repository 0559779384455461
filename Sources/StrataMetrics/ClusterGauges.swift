/// What the coordinator knows of the cluster at one moment, in plain numbers, so the metrics
/// module needs neither the cluster map's types nor the wire's.
public struct ClusterGauges: Sendable, Equatable {
    public var slotCount: Int
    public var targetReplicas: Int
    public var liveWorkers: Int
    public var suspectWorkers: Int
    public var deadWorkers: Int
    /// Live workers being drained (also counted as live).
    public var drainingWorkers: Int
    public var slotsFullyReplicated: Int
    public var slotsUnderReplicated: Int
    public var slotsUnavailable: Int
    public var recoveryTransfers: Int
    public var rebalanceTransfers: Int
    /// Slot copies in flight: which slot each copies, and its progress in records.
    public var transfers: [Transfer]

    /// One slot copy in flight.
    public struct Transfer: Sendable, Equatable {
        public var slot: Int
        public var recordsCopied: UInt64
        public var recordsNeeded: UInt64

        public init(slot: Int, recordsCopied: UInt64, recordsNeeded: UInt64) {
            self.slot = slot
            self.recordsCopied = recordsCopied
            self.recordsNeeded = recordsNeeded
        }
    }

    public init(slotCount: Int, targetReplicas: Int, liveWorkers: Int, suspectWorkers: Int, deadWorkers: Int,
                drainingWorkers: Int, slotsFullyReplicated: Int, slotsUnderReplicated: Int, slotsUnavailable: Int,
                recoveryTransfers: Int, rebalanceTransfers: Int, transfers: [Transfer]) {
        self.slotCount = slotCount
        self.targetReplicas = targetReplicas
        self.liveWorkers = liveWorkers
        self.suspectWorkers = suspectWorkers
        self.deadWorkers = deadWorkers
        self.drainingWorkers = drainingWorkers
        self.slotsFullyReplicated = slotsFullyReplicated
        self.slotsUnderReplicated = slotsUnderReplicated
        self.slotsUnavailable = slotsUnavailable
        self.recoveryTransfers = recoveryTransfers
        self.rebalanceTransfers = rebalanceTransfers
        self.transfers = transfers
    }
}
