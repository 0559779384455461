/// When a worker carries out the DROP directives it receives (pure: time comes in as a value).
///
/// A DROP is carried out only once it has stood for `grace`: the coordinator removed the
/// worker from the slot's replicas when it decided the drop, but a query planned just before
/// may still be reading the slot here, and forgetting the slot under it would silently drop
/// candidates. A DROP missing from a later directive set is forgotten (the coordinator voided
/// or finished it); one that comes back starts its grace again.
struct DropSchedule: Sendable {
    /// A DROP to carry out: the slot, and the highest position the worker may hold.
    struct Due: Sendable, Equatable {
        var slot: UInt32
        var ifAtMost: UInt64
    }

    let grace: Duration
    /// When each pending DROP was first seen (in the caller's clock, as time since its epoch).
    private var firstSeen: [UInt32: Duration] = [:]

    init(grace: Duration) {
        self.grace = grace
    }

    /// Records the latest directive set's DROPs (slot → guard) at `now`; returns those that
    /// have stood for the grace, by slot.
    mutating func update(drops: [UInt32: UInt64], now: Duration) -> [Due] {
        firstSeen = firstSeen.filter { drops[$0.key] != nil }
        var due: [Due] = []
        for (slot, ifAtMost) in drops.sorted(by: { $0.key < $1.key }) {
            let seen = firstSeen[slot] ?? now
            firstSeen[slot] = seen
            if now - seen >= grace { due.append(Due(slot: slot, ifAtMost: ifAtMost)) }
        }
        return due
    }

    /// Forgets a DROP that was carried out (a later one for the slot starts a new grace).
    mutating func done(_ slot: UInt32) {
        firstSeen[slot] = nil
    }
}
