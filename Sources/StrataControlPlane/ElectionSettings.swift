import StrataCore

/// The timing of a leader election.
///
/// A leader acts only while it is sure that its lease lives: from each keep-alive it knows
/// the lease lives at least until the moment that keep-alive was *sent* plus the TTL etcd
/// granted; it stops acting `stepDownMargin` before that (clock rate differences, work in
/// flight). Another coordinator can lead only once etcd expired the lease, so two never
/// act at once -- and the writes of one that is late anyway fail the leader guard.
public struct ElectionSettings: Sendable, Equatable {
    /// The lease's time to live (whole seconds in etcd; etcd raises one below its minimum,
    /// about 2 s with its default timings). A dead leader is replaced after about this long.
    public var leaseTTL: Duration
    /// How often a keep-alive is sent (TTL / 3 by default: two may be lost).
    public var keepAliveInterval: Duration
    /// How long before the lease could expire the leader steps down.
    public var stepDownMargin: Duration

    public init(leaseTTL: Duration = .seconds(3), keepAliveInterval: Duration? = nil, stepDownMargin: Duration? = nil) throws(StrataError) {
        guard leaseTTL >= .seconds(1) else { throw StrataError.invalidArgument("lease TTL \(leaseTTL): use at least 1 s") }
        let keepAlive = keepAliveInterval ?? leaseTTL / 3
        let margin = stepDownMargin ?? min(.milliseconds(500), leaseTTL / 4)
        guard keepAlive > .zero, keepAlive < leaseTTL else {
            throw StrataError.invalidArgument("keep-alive interval \(keepAlive): use more than 0 and less than the lease TTL \(leaseTTL)")
        }
        guard margin >= .zero, margin + keepAlive < leaseTTL else {
            throw StrataError.invalidArgument("step-down margin \(margin) plus keep-alive interval \(keepAlive) must stay below the lease TTL \(leaseTTL)")
        }
        self.leaseTTL = leaseTTL
        self.keepAliveInterval = keepAlive
        self.stepDownMargin = margin
    }

    public static let `default` = try! ElectionSettings()

    /// The TTL in whole seconds, as etcd takes it (rounded up).
    public var leaseTTLSeconds: Int64 {
        let (seconds, attoseconds) = leaseTTL.components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }
}
