/// A batch of operations on one slot, stamped with the slot's next sequence number.
///
/// Applying is idempotent: a batch whose sequence number is not above the slot's last one is
/// acknowledged without being applied again, which is what makes retries and delta catch-up safe.
public struct SlotWrite: Sendable, Equatable {
    public var slot: UInt32
    public var sequence: UInt64
    public var operations: [StoreOperation]

    public init(slot: UInt32, sequence: UInt64, operations: [StoreOperation]) {
        self.slot = slot
        self.sequence = sequence
        self.operations = operations
    }
}

/// What `apply` did with a batch.
public enum ApplyOutcome: Sendable, Equatable {
    /// Logged durably and applied.
    case applied
    /// The slot was already at or beyond this sequence number; nothing changed.
    case alreadyApplied(lastSequence: UInt64)
}
