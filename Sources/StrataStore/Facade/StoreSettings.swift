import StrataCore

/// Settings of a worker's chunk store: the three memory tiers and the persistent tier.
public struct StoreSettings: Sendable, Equatable, Codable {
    /// Capacities, precisions and eviction policies of the memory tiers.
    public struct Tiers: Sendable, Equatable, Codable {
        public var hot: TierSettings
        public var warm: TierSettings
        public var cold: TierSettings

        public init(hot: TierSettings = .hotDefault, warm: TierSettings = .warmDefault, cold: TierSettings = .coldDefault) {
            self.hot = hot
            self.warm = warm
            self.cold = cold
        }

        public static let `default` = Tiers()
    }

    public var tiers: Tiers
    /// WAL fsync policy, chunk size limit, flush and compaction thresholds.
    public var persistent: PersistentSettings
    /// Shared-memory name of the warm tier; nil derives one from the data directory's path,
    /// so a restarted worker on the same directory finds its warm tier again.
    public var warmSegmentName: String?

    public init(tiers: Tiers = .default, persistent: PersistentSettings = .default, warmSegmentName: String? = nil) {
        self.tiers = tiers
        self.persistent = persistent
        self.warmSegmentName = warmSegmentName
    }

    public static let `default` = StoreSettings()
}
