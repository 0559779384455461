/// What `forgetSlot` did with a slot.
public enum ForgetOutcome: Sendable, Equatable {
    /// The slot is gone (a durable forget record is in the WAL); it held up to `lastSequence`.
    case forgotten(lastSequence: UInt64)
    /// The store held nothing of the slot; nothing was logged.
    case notHeld
    /// The slot holds more than the caller allowed (`lastSequence` > `ifAtMost`): it may be
    /// the only copy of writes the caller has not heard of, so it was kept.
    case kept(lastSequence: UInt64)
}
