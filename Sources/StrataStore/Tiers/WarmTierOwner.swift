/// Whose warm tier a shared-memory object is: the store directory that attached it last and
/// that store's node. Recorded in the object's header (`WarmRegionLayout`), so a worker can
/// tell a segment whose data directory is gone from one a stopped worker keeps for a warm
/// restart, and `strata-worker --list-warm-tiers` can say whose memory it is.
public struct WarmTierOwner: Sendable, Equatable {
    /// The absolute path of the store directory (a worker's `<data dir>/store`); empty when
    /// unknown (a tier opened without a store, as the tier tests do).
    public var directory: String
    /// The node id of the worker; empty when unknown.
    public var node: String

    public init(directory: String, node: String) {
        self.directory = directory
        self.node = node
    }

    /// No owner recorded: such a segment is never reclaimed automatically.
    public static let unknown = WarmTierOwner(directory: "", node: "")
}
