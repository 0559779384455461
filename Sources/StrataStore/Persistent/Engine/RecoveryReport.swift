/// What opening a data directory found and did (see `RecoveryRules`).
public struct RecoveryReport: Sendable, Equatable {
    /// A torn WAL tail that was cut off: the WAL file, the offset cut at, and where the copy was kept.
    public struct TornTail: Sendable, Equatable {
        public var walFile: String
        public var offset: Int
        public var discardedBytes: Int
        public var copy: String
    }

    /// A segment that failed verification and was moved aside (`movedTo` is empty when the
    /// manifest listed a file that no longer exists).
    public struct Quarantine: Sendable, Equatable {
        public var segment: String
        public var movedTo: String
        public var reason: String
    }

    public var createdFresh = false
    public var segmentsLoaded = 0
    public var walRecordsReplayed = 0
    /// Zero bytes cut after the last WAL frame that were the padding of a direct-I/O write
    /// (see `RecoveryRules`): nothing was lost, so this is not a repair.
    public var walPaddingTrimmedBytes = 0
    public var tornTails: [TornTail] = []
    public var quarantined: [Quarantine] = []
    /// Leftovers of interrupted flushes and compactions that were removed (temp files,
    /// segments the manifest never adopted, WAL files already covered by segments).
    public var removedLeftovers: [String] = []

    /// True when anything was repaired or quarantined.
    public var repaired: Bool { !tornTails.isEmpty || !quarantined.isEmpty }
}
