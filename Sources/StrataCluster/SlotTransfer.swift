/// One slot copy in flight: `target` fetches `slot` from `source`, starting after `fromSequence`.
public struct SlotTransfer: Sendable, Equatable, Codable, Hashable {
    /// Why the copy was started; recovery outranks catch-up, which outranks rebalancing.
    public enum Purpose: String, Sendable, Codable, Hashable, Comparable {
        /// The slot has fewer up-to-date replicas than it should (a replica died or left).
        case recovery
        /// A serving replica fell behind (it missed writes while down) and catches up by delta.
        case catchUp
        /// The slot is fully replicated; the copy moves it to its placement (e.g. a new worker).
        case rebalance

        private var rank: Int {
            switch self {
            case .recovery: 0
            case .catchUp: 1
            case .rebalance: 2
            }
        }

        public static func < (lhs: Purpose, rhs: Purpose) -> Bool { lhs.rank < rhs.rank }
    }

    public var slot: Int
    public var target: WorkerID
    public var source: WorkerID
    /// The target's own last sequence when the copy started (delta catch-up); 0 = full copy.
    public var fromSequence: UInt64
    public var purpose: Purpose

    public init(slot: Int, target: WorkerID, source: WorkerID, fromSequence: UInt64, purpose: Purpose) {
        self.slot = slot
        self.target = target
        self.source = source
        self.fromSequence = fromSequence
        self.purpose = purpose
    }
}
