/// A DROP the coordinator decided and the worker has not carried out yet.
///
/// `ifAtMost` closes a race: the coordinator decides from the positions it last heard, and a
/// worker may since have applied a write nobody acknowledged to the coordinator. The worker
/// deletes the slot only if its position is at most `ifAtMost`; otherwise it keeps the slot and
/// its next report voids the drop, so the newer data becomes a copy source instead of being lost.
public struct PendingDrop: Sendable, Equatable, Hashable, Codable {
    public var worker: WorkerID
    /// The highest position the coordinator knew for the slot when it decided the drop.
    public var ifAtMost: UInt64

    public init(worker: WorkerID, ifAtMost: UInt64) {
        self.worker = worker
        self.ifAtMost = ifAtMost
    }
}
