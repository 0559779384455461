import StrataWire

/// The worker's membership decisions, apart from the calls, the store and the clock (SWIM's
/// instance/shell split): events in, operations out. `WorkerMembership` is its shell: it makes
/// the call the core asks for (`needsRegistration`), feeds the answer or the failure back, and
/// carries out the operations on the worker (`MembershipWorker`), reporting each copy's end and
/// each drop carried out.
///
/// | event | state | operations |
/// |---|---|---|
/// | registration answered | registered under the answer's incarnation | the directives' |
/// | heartbeat answered | unregistered when the answer says `reregister` | the directives' |
/// | call failed (or an older epoch's answer) | unregistered; the error kept | none |
/// | copy ended (either way) | the slot is no longer being copied | none |
/// | drop carried out (forgotten, kept or not held) | the slot's grace starts over | none |
///
/// A directive set becomes: a FETCH for each fetch directive whose slot is not being copied
/// already (one copy per slot at a time), then a DROP for each drop directive that has stood
/// for the grace (`DropSchedule`), unless the same set also serves or fetches the slot or a
/// copy into it is running (then it waits for a later set).
struct WorkerMembershipCore: Sendable {
    enum Operation: Sendable, Equatable {
        /// Copy the slot from the directive's source.
        case fetch(SlotDirective)
        /// Forget the slot if the worker holds it at most up to the position.
        case drop(DropSchedule.Due)
    }

    /// Whether the next call is a registration (else a heartbeat under `incarnation`).
    private(set) var needsRegistration = true
    /// What the coordinator assigned at the last registration (heartbeats carry it).
    private(set) var incarnation: UInt64 = 0
    /// The slots being copied now.
    private(set) var fetching: Set<UInt32> = []
    /// The last call's failure, until a call succeeds.
    private(set) var lastError: String?
    private var drops: DropSchedule

    init(dropGrace: Duration) {
        drops = DropSchedule(grace: dropGrace)
    }

    /// A registration answer: registered under `incarnation`; the directives' operations.
    mutating func registered(incarnation: UInt64, directives: [SlotDirective], now: Duration) -> [Operation] {
        needsRegistration = false
        self.incarnation = incarnation
        return answered(directives, now: now)
    }

    /// A heartbeat answer: the directives' operations (after `reregister`, the next call registers).
    mutating func heartbeatAnswered(reregister: Bool, directives: [SlotDirective], now: Duration) -> [Operation] {
        if reregister { needsRegistration = true }
        return answered(directives, now: now)
    }

    /// A failed call: the next call registers. True when the error differs from the last one
    /// (the shell logs it once, not at every retry).
    mutating func callFailed(_ message: String) -> Bool {
        defer { lastError = message; needsRegistration = true }
        return lastError != message
    }

    /// A copy ended, finished or failed.
    mutating func copyEnded(_ slot: UInt32) { fetching.remove(slot) }

    /// A DROP was carried out (whatever the outcome): a later one for the slot starts a new grace.
    mutating func dropCarriedOut(_ slot: UInt32) { drops.done(slot) }

    private mutating func answered(_ directives: [SlotDirective], now: Duration) -> [Operation] {
        lastError = nil
        var operations: [Operation] = []
        for directive in directives where directive.action == .fetch && fetching.insert(directive.slot).inserted {
            operations.append(.fetch(directive))
        }
        let kept = Set(directives.filter { $0.action != .drop }.map(\.slot))
        var wanted: [UInt32: UInt64] = [:]
        for directive in directives where directive.action == .drop && !kept.contains(directive.slot) && !fetching.contains(directive.slot) {
            wanted[directive.slot] = directive.fromSequence
        }
        operations += drops.update(drops: wanted, now: now).map(Operation.drop)
        return operations
    }
}
