/// Which worker answers for which slots in one query fan-out.
public struct QueryPlan: Sendable, Equatable {
    /// One entry per worker to call, by id, with the slots it must search (ascending).
    public var assignments: [WorkerID: [Int]]
    /// Slots with no reachable serving replica: their data is missing from the answer, and the
    /// answer must say so.
    public var missingSlots: [Int]

    /// Slots whose chosen replica is behind the slot's latest writes (no up-to-date replica is
    /// reachable): searched, but part of their data may be missing, and the answer must say so.
    public var staleSlots: [Int]

    /// True when part of the data cannot be searched or may be missing.
    public var isDegraded: Bool { !missingSlots.isEmpty || !staleSlots.isEmpty }

    /// The workers to call, by id (one RPC each).
    public var workers: [WorkerID] { assignments.keys.sorted() }
}
