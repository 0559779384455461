/// Which worker answers for which slots in one query fan-out.
public struct QueryPlan: Sendable, Equatable {
    /// One entry per worker to call, by id, with the slots it must search (ascending).
    public var assignments: [WorkerID: [Int]]
    /// Slots with no reachable serving replica: their data is missing from the answer, and the
    /// answer must say so.
    public var missingSlots: [Int]

    /// True when part of the data cannot be searched.
    public var isDegraded: Bool { !missingSlots.isEmpty }

    /// The workers to call, by id (one RPC each).
    public var workers: [WorkerID] { assignments.keys.sorted() }
}
