/// What a registration or report left out, for the shell to log. Nothing here is held against
/// the worker: a slot outside the cluster (a stray write let it onto the disk) or an absurd
/// position must never lock a worker out, so it is ignored and the rest of the report counts.
public struct IgnoredSlots: Sendable, Equatable {
    /// Slots outside 0..<S.
    public var outOfRange: [Int] = []
    /// Slots reported at a position above `MembershipLimits.maximumSequence`.
    public var absurdPositions: [Int] = []

    public init(outOfRange: [Int] = [], absurdPositions: [Int] = []) {
        self.outOfRange = outOfRange
        self.absurdPositions = absurdPositions
    }

    public var isEmpty: Bool { outOfRange.isEmpty && absurdPositions.isEmpty }
}
