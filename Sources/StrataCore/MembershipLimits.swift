/// Bounds on the values internal calls carry, shared by the workers, the coordinator and the
/// config, so that one call with an absurd value (a bug, or anyone who can reach the port) is
/// refused instead of being persisted in a state no node recovers from.
public enum MembershipLimits {
    /// Placement weights a worker may register with (`worker.weight`, `Capacity.weight`): a
    /// weight of 1e300 would pull every slot onto one node.
    public static let weights: ClosedRange<Double> = 0.01...1000

    /// The highest slot sequence number anyone may write or report: far beyond any real slot
    /// (2^62 writes), and far enough below 2^64 that `sequence + 1` and sums never overflow.
    public static let maximumSequence: UInt64 = 1 << 62
}
