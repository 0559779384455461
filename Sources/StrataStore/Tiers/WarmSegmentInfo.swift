/// One warm tier in /dev/shm, as `WarmSegments.list()` found it.
public struct WarmSegmentInfo: Sendable, Equatable {
    /// The object's name in /dev/shm ("strata-0123456789abcdef").
    public var name: String
    /// Memory the object holds (allocated pages), not its apparent size.
    public var allocatedBytes: Int
    /// The object's apparent size (the warm tier's full geometry; mostly unallocated).
    public var apparentBytes: Int
    /// True while a worker has it attached (holds its lock).
    public var attached: Bool
    /// The store directory and node its header records; nil when not known.
    public var owner: WarmTierOwner?
    public var state: WarmSegmentState

    public init(name: String, allocatedBytes: Int, apparentBytes: Int, attached: Bool, owner: WarmTierOwner?, state: WarmSegmentState) {
        self.name = name
        self.allocatedBytes = allocatedBytes
        self.apparentBytes = apparentBytes
        self.attached = attached
        self.owner = owner
        self.state = state
    }
}
