import StrataCore

extension TierSettings {
    /// Throws `invalidArgument` naming `field` (e.g. "tiers.hot") when a memory tier's settings
    /// cannot work: a negative capacity, or no eviction policy (only the persistent tier holds
    /// everything).
    func validateForMemoryTier(field: String) throws(StrataError) {
        guard capacityBytes >= 0 else { throw .invalidArgument("\(field).capacityBytes is \(capacityBytes), must be >= 0") }
        guard capacityTokens >= 0 else { throw .invalidArgument("\(field).capacityTokens is \(capacityTokens), must be >= 0") }
        guard eviction != .none else {
            throw .invalidArgument("\(field).eviction is none; a memory tier must evict by lru or fifo")
        }
    }
}
