/// The decisions of one candidate in a leader election, as a value: events in (what etcd
/// answered, what the watch saw, time passing), directives out. It never reads a clock or
/// touches etcd -- `LeaderElection` does, and feeds it -- so every rule is tested without
/// either.
///
/// | event | rule |
/// |---|---|
/// | `campaigned` | our key exists with its create revision; the lease is safe until the grant was *sent* + TTL − margin |
/// | `keepAliveAnswered` (TTL > 0) | safe until that keep-alive was sent + TTL − margin (never earlier than before) |
/// | `keepAliveAnswered` (TTL ≤ 0), our key deleted, `tick` past the safe time | we lost the lease: `recampaign` (and a leader steps down first) |
/// | `observed`, `observedPut`, `observedDelete` | the candidates alive; the one with the lowest create revision leads |
/// | any event | role = `.leader` iff our key is the lowest alive, a full read of the candidates made after our campaign has seen it, and the lease is safe now; epoch = its create revision |
///
/// The full read matters: a view of the candidates from before our campaign can lack an
/// older key created just before ours, and acting on it would make two leaders.
///
/// Must not happen, and is tested: leading without a key, leading past the safe time,
/// leading while an older candidate is alive, an epoch that goes down.
public struct ElectionState: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// Someone else leads (`leader`), or nobody is known to (nil).
        case follower(leader: ElectionCandidate?)
        case leader(LeaderToken)

        public var token: LeaderToken? {
            if case .leader(let token) = self { return token }
            return nil
        }
    }

    public enum Directive: Sendable, Equatable {
        case roleChanged(Role)
        /// Our lease is gone or no longer certain: give it up and campaign with a new one.
        case recampaign(reason: String)
    }

    public let stepDownMargin: Duration
    public private(set) var role: Role = .follower(leader: nil)
    public private(set) var own: ElectionCandidate?
    /// Until when our lease certainly lives, minus the margin (times are the shell's
    /// monotonic clock, as durations since its origin).
    public private(set) var leaseSafeUntil: Duration?
    /// The candidates alive, by key.
    public private(set) var candidates: [[UInt8]: ElectionCandidate] = [:]
    /// A full read of the candidates since our campaign has seen our key.
    public private(set) var viewIncludesOwnKey = false

    public init(stepDownMargin: Duration) {
        self.stepDownMargin = stepDownMargin
    }

    /// Our key was created (or found, after a retried campaign) with lease `own.lease`,
    /// whose grant was requested at `leaseRequestedAt` with the TTL etcd granted.
    public mutating func campaigned(_ own: ElectionCandidate, leaseRequestedAt: Duration, ttl: Duration, now: Duration) -> [Directive] {
        self.own = own
        leaseSafeUntil = leaseRequestedAt + ttl - stepDownMargin
        candidates[own.key] = own
        viewIncludesOwnKey = false
        return decide(now)
    }

    /// A keep-alive sent at `requestedAt` was answered with `ttl` (≤ 0: the lease is gone).
    public mutating func keepAliveAnswered(requestedAt: Duration, ttl: Duration, now: Duration) -> [Directive] {
        guard own != nil else { return decide(now) }
        guard ttl > .zero else { return lose("etcd says the lease has expired", now) }
        leaseSafeUntil = max(leaseSafeUntil ?? .zero, requestedAt + ttl - stepDownMargin)
        return decide(now)
    }

    /// Every candidate alive (a fresh read of the election prefix).
    public mutating func observed(_ all: [ElectionCandidate], now: Duration) -> [Directive] {
        candidates = Dictionary(all.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        if let own {
            guard candidates[own.key]?.createRevision == own.createRevision else { return lose("our candidate key is gone from etcd", now) }
            viewIncludesOwnKey = true
        }
        return decide(now)
    }

    public mutating func observedPut(_ candidate: ElectionCandidate, now: Duration) -> [Directive] {
        candidates[candidate.key] = candidate
        if let own, own.key == candidate.key, own.createRevision != candidate.createRevision {
            return lose("our candidate key was recreated by someone else", now)
        }
        return decide(now)
    }

    public mutating func observedDelete(key: [UInt8], now: Duration) -> [Directive] {
        candidates[key] = nil
        if let own, own.key == key { return lose("our candidate key was deleted (lease expired or revoked)", now) }
        return decide(now)
    }

    /// Time passed.
    public mutating func tick(now: Duration) -> [Directive] { decide(now) }

    /// We gave the lease up ourselves (resigning): no longer a candidate, and no recampaign.
    public mutating func resigned(now: Duration) -> [Directive] {
        if let own { candidates[own.key] = nil }
        own = nil
        leaseSafeUntil = nil
        viewIncludesOwnKey = false
        return decide(now)
    }

    private mutating func lose(_ reason: String, _ now: Duration) -> [Directive] {
        own = nil
        leaseSafeUntil = nil
        viewIncludesOwnKey = false
        return decide(now) + [.recampaign(reason: reason)]
    }

    private mutating func decide(_ now: Duration) -> [Directive] {
        if own != nil, let until = leaseSafeUntil, now >= until {
            return lose("the lease was not renewed in time (safe until \(until), now \(now))", now)
        }
        // Create revisions are unique per campaign (one transaction each); the key breaks a
        // tie only to keep the choice deterministic.
        let leading = candidates.values.min {
            $0.createRevision < $1.createRevision || ($0.createRevision == $1.createRevision && $0.key.lexicographicallyPrecedes($1.key))
        }
        let next: Role
        if let own, viewIncludesOwnKey, let leading, leading.key == own.key, leading.createRevision == own.createRevision {
            next = .leader(LeaderToken(key: own.key, epoch: own.createRevision, lease: own.lease))
        } else {
            next = .follower(leader: leading)
        }
        guard next != role else { return [] }
        role = next
        return [.roleChanged(next)]
    }
}
