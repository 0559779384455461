import StrataCore
import StrataStore

extension StoreSettings {
    /// The store settings a worker derives from its node configuration.
    public init(config: StrataConfig) {
        var persistent = PersistentSettings.default
        persistent.fsyncPolicy = config.storage.fsyncPolicy
        persistent.maxChunkBytes = config.storage.maxChunkBytes
        persistent.compactionGarbageRatio = config.storage.compactionDeadRatio
        self.init(tiers: Tiers(hot: config.tiers.hot, warm: config.tiers.warm, cold: config.tiers.cold), persistent: persistent)
    }
}
