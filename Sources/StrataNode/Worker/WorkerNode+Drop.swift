import StrataCore
import StrataStore

/// DROP: the worker forgets a slot the coordinator placed elsewhere.
extension WorkerNode {
    /// Forgets `slot` in the store (durably, and only when it holds at most `ifAtMost`, so a
    /// write the coordinator has not heard of is never lost), then in the search index. Runs
    /// under the slot's write lock, so no write of the slot interleaves with it.
    func dropSlot(_ slot: UInt32, ifAtMost: UInt64) throws(StrataError) -> ForgetOutcome {
        let store = try openStore()
        return try slotWriteLocks.withLock(slot: slot) { () throws(StrataError) -> ForgetOutcome in
            let outcome = try store.forgetSlot(slot, ifAtMost: ifAtMost)
            if case .forgotten = outcome {
                searchIndex.removeSlot(slot)
                indexSnapshots.remove(slot: slot)
            }
            return outcome
        }
    }
}
