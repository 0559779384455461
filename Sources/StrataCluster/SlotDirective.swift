/// What the coordinator wants one worker to do with one slot.
///
/// Mirrors `strata.v1.SlotDirective` in Proto/strata/v1/membership.proto (ACTION_SERVE,
/// ACTION_FETCH with source_address/from_sequence/rate_limit_bytes_per_second, ACTION_DROP).
/// A heartbeat answer carries the worker's whole directive set, so repeating one is harmless:
/// a worker already fetching a slot keeps going, and a FETCH that disappears from the set is
/// cancelled (the partial copy is dropped later by a DROP directive).
public enum SlotDirective: Sendable, Equatable, Hashable {
    /// Hold and serve this slot; it receives writes.
    case serve(slot: Int)
    /// Copy the slot from `sourceAddress`, starting after `fromSequence` (0 = full copy), using at
    /// most `rateLimitBytesPerSecond` (0 = unlimited).
    case fetch(slot: Int, source: WorkerID, sourceAddress: String, fromSequence: UInt64, rateLimitBytesPerSecond: UInt64)
    /// Stop serving the slot and delete its data, but only if the worker's position for it is at
    /// most `ifAtMost` (see `PendingDrop`). On the wire the guard travels in `from_sequence`.
    case drop(slot: Int, ifAtMost: UInt64)

    /// The slot the directive is about.
    public var slot: Int {
        switch self {
        case .serve(let slot), .drop(let slot, _): slot
        case .fetch(let slot, _, _, _, _): slot
        }
    }
}
