import StrataCore
import StrataStore
import StrataWire

/// What membership needs from the worker it speaks for: the reports it sends and the store
/// operations its directives lead to. `WorkerNode` is the one conformance
/// (`WorkerNode+Membership.swift`); the loop holds it weakly, since the worker owns the loop.
protocol MembershipWorker: AnyObject, Sendable {
    /// A registration: node id, advertised address, zone, capacity (tier capacities, disk free,
    /// the placement weight `worker.weight`), the slots held, and the worker's own count of its
    /// starts (informational).
    func registration() -> RegisterRequest
    /// A heartbeat under the incarnation the coordinator assigned at registration: the slots
    /// held, tier counters, and the copies running now.
    func heartbeat(incarnation: UInt64, copies: [SlotCopyProgress]) -> HeartbeatRequest
    /// Takes the cluster's slot count from a registration answer.
    func learnSlotCount(_ count: UInt32)
    /// The last sequence this worker holds of `slot` (0: none, or the store is not open).
    func heldSequence(of slot: UInt32) -> UInt64
    /// Applies one copied sequence (store and search index).
    func applyCopied(_ write: StrataStore.SlotWrite) throws(StrataError)
    /// Forgets a slot if the worker holds it at most up to `ifAtMost` (DROP).
    func dropSlot(_ slot: UInt32, ifAtMost: UInt64) throws(StrataError) -> ForgetOutcome
}
