/// What the warm tier found in shared memory when it started.
public struct WarmRecoveryReport: Sendable, Equatable {
    public enum Start: Sendable, Equatable {
        /// No usable object existed (or it had another size): a new, empty tier.
        case created
        /// The object was reattached and its valid entries reused.
        case reattached
        /// The object existed but its header did not match (epoch, format version, geometry,
        /// precision or checksum): everything in it was thrown away.
        case discarded(reason: String)
    }

    public var start: Start
    /// Entries found valid and served again.
    public var restoredEntries: Int
    /// Entries found in the object but not reused: bad checksum or lengths, a key the
    /// persistent tier does not know, a duplicate, or over the capacity.
    public var discardedEntries: Int

    public init(start: Start, restoredEntries: Int = 0, discardedEntries: Int = 0) {
        self.start = start
        self.restoredEntries = restoredEntries
        self.discardedEntries = discardedEntries
    }

    /// One line for logs: "created", "reattached: 12 entries restored, 0 discarded" or
    /// "discarded (epoch 3, expected 4)".
    public var summary: String {
        switch start {
        case .created: "created"
        case .reattached: "reattached: \(restoredEntries) entries restored, \(discardedEntries) discarded"
        case .discarded(let reason): "discarded (\(reason))"
        }
    }
}
