import StrataCore

extension ChunkStore {
    /// Forgets a whole slot (every namespace) when it holds at most `ifAtMost`: durably on the
    /// persistent tier (see `PersistentTier.forgetSlot`), then its chunks leave every memory
    /// tier unless another live document still references them (bodies are shared by content).
    @discardableResult
    public func forgetSlot(_ slot: UInt32, ifAtMost: UInt64) throws(StrataError) -> ForgetOutcome {
        let before = persistent.chunks(inSlot: slot)
        let outcome = try persistent.forgetSlot(slot, ifAtMost: ifAtMost)
        if case .forgotten = outcome {
            for ref in before where !persistent.containsLive(cacheKey: ref.cacheKey) {
                tiers.remove(ref.cacheKey)
            }
        }
        return outcome
    }
}
