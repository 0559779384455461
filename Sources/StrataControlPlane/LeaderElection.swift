import StrataEtcd
import Synchronization

/// Runs one coordinator's candidacy in etcd and says who leads (the shell around
/// `ElectionState`).
///
/// A round: grant a lease (TTL from `ElectionSettings`), create the candidate key
/// `<prefix>election/<lease>` holding `address` with that lease (only if absent), then
/// until the state says to recampaign: keep the lease alive on a LeaseKeepAlive stream,
/// read and watch the election prefix, and tick the clock. When the lease is lost or no
/// longer certain, the round ends, the lease is revoked if etcd can still be reached
/// (others take over at once), and a new round begins. Streams that fail are reopened on
/// the next endpoint; the leader keeps leading through that only while its lease is safe.
///
/// `run()` until its task is cancelled. Cancelling does not revoke (a killed process could
/// not either: the lease expires after its TTL); `resign()` does, for a graceful stop.
public final class LeaderElection: Sendable {
    public let client: EtcdClient
    public let layout: EtcdControlPlaneLayout
    /// What followers learn about this candidate: its client address.
    public let address: String
    public let settings: ElectionSettings

    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let state: Mutex<ElectionState>
    private let observers = Mutex<(next: Int, continuations: [Int: AsyncStream<ElectionState.Role>.Continuation])>((0, [:]))
    /// Ends the current round with a reason (set while a round serves).
    private let roundEnd = Mutex<AsyncStream<String>.Continuation?>(nil)
    /// The lease of the current round.
    private let currentLease = Mutex<Int64?>(nil)
    private let hasResigned = Mutex(false)

    public init(client: EtcdClient, layout: EtcdControlPlaneLayout, address: String, settings: ElectionSettings = .default) {
        self.client = client
        self.layout = layout
        self.address = address
        self.settings = settings
        origin = clock.now
        state = Mutex(ElectionState(stepDownMargin: settings.stepDownMargin))
    }

    /// The role now.
    public var role: ElectionState.Role { state.withLock { $0.role } }

    /// The candidates alive as last seen, oldest (the leader, once it has read them) first.
    public var candidates: [ElectionCandidate] {
        state.withLock { $0.candidates.values.sorted { $0.createRevision < $1.createRevision } }
    }

    /// How long the lease is certainly alive from now (nil: no lease held).
    public var leaseSafeFor: Duration? {
        state.withLock { $0.leaseSafeUntil }.map { $0 - now }
    }

    /// The leadership token while this candidate leads, for guarded writes.
    public var leaderToken: LeaderToken? { role.token }

    /// The role now, then every change, until the consumer stops.
    public func roleChanges() -> AsyncStream<ElectionState.Role> {
        let (stream, continuation) = AsyncStream<ElectionState.Role>.makeStream()
        // Registered and given the current role under the state's lock, so that no change
        // falls between the two.
        let id = state.withLock { state in
            continuation.yield(state.role)
            return observers.withLock { observers in
                defer { observers.next += 1 }
                observers.continuations[observers.next] = continuation
                return observers.next
            }
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.observers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Campaigns, leads or follows until the task is cancelled or `resign()` is called.
    public func run() async {
        var failures = 0
        while !Task.isCancelled, !hasResigned.withLock({ $0 }) {
            var granted: Int64?
            do throws(EtcdError) {
                let requestedAt = now
                let grant = try await client.leaseGrant(ttl: settings.leaseTTLSeconds)
                granted = grant.id
                currentLease.withLock { $0 = grant.id }
                let own = try await campaign(lease: grant.id)
                failures = 0
                let (ends, end) = AsyncStream<String>.makeStream()
                roundEnd.withLock { $0 = end }
                apply { $0.campaigned(own, leaseRequestedAt: requestedAt, ttl: .seconds(grant.ttl), now: now) }
                await serve(lease: grant.id, until: ends)
                roundEnd.withLock { $0 = nil }
                if Task.isCancelled { break }
            } catch {
                failures += 1
            }
            currentLease.withLock { $0 = nil }
            // Hand over at once if etcd still hears us (a campaign whose answer was lost may
            // have created our key); if not, the lease expires by itself.
            if let granted { _ = try? await client.leaseRevoke(id: granted) }
            // Back off from an unreachable etcd: 0.1 s, doubling up to 2 s.
            if (try? await Task.sleep(for: .milliseconds(min(2_000, 100 << min(failures, 5))))) == nil { break }
        }
        apply { $0.resigned(now: now) }
    }

    /// Gives leadership up for a graceful stop: revokes the lease (its key goes, so another
    /// candidate leads at once) and ends `run()`.
    public func resign() async {
        hasResigned.withLock { $0 = true }
        let lease = currentLease.withLock { $0 }
        apply { $0.resigned(now: now) }
        _ = roundEnd.withLock { $0?.yield("resigned") }
        if let lease { _ = try? await client.leaseRevoke(id: lease) }
    }

    /// Ends this round of leadership without leaving the election: the lease is revoked (its
    /// key goes, so another candidate can lead at once) and this candidate campaigns again
    /// after the usual back-off. For a leader whose own write was refused as a conflict: its
    /// view of the control plane is wrong, and a fresh round starts from a fresh load.
    public func stepDown(_ reason: String) {
        _ = roundEnd.withLock { $0?.yield(reason) }
    }

    // MARK: rounds

    /// Creates our candidate key if it does not exist (a retried campaign finds its own key).
    private func campaign(lease: Int64) async throws(EtcdError) -> ElectionCandidate {
        let key = layout.candidateKey(lease: lease)
        let response = try await client.txn(EtcdTxnRequest(
            compare: [.absent(key)],
            success: [.put(EtcdPutRequest(key: key, value: Array(address.utf8), lease: lease))],
            failure: [.range(EtcdRangeRequest(key: key))]))
        if response.succeeded {
            return ElectionCandidate(key: key, address: address, createRevision: response.header.revision, lease: lease)
        }
        guard case .range(let range)? = response.responses.first, let existing = range.kvs.first, existing.lease == lease else {
            throw EtcdError(.refused, "the candidate key \(String(decoding: key, as: UTF8.self)) exists with another lease")
        }
        return ElectionCandidate(key: key, address: address, createRevision: existing.createRevision, lease: lease)
    }

    /// Keeps the lease, watches the candidates and ticks, until the round ends.
    private func serve(lease: Int64, until ends: AsyncStream<String>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepAlive(lease: lease) }
            group.addTask { await self.observeCandidates() }
            group.addTask {
                while (try? await Task.sleep(for: .milliseconds(50))) != nil {
                    self.apply { $0.tick(now: self.now) }
                }
            }
            group.addTask {
                for await _ in ends { break }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// The monotonic clock the state sees.
    var now: Duration { clock.now - origin }

    /// Applies an event to the state and carries out its directives.
    func apply(_ event: (inout ElectionState) -> [ElectionState.Directive]) {
        // Role changes are announced under the state's lock, so observers see them in the
        // order they happened even when events arrive from several tasks -- but not under the
        // observers' lock: a yield resumes the observing task, which takes that task's status
        // lock, while cancelling that task holds its status lock and runs the stream's
        // `onTermination`, which takes the observers' lock (a deadlock seen in CI when a
        // coordinator shut down during a role change).
        let directives = state.withLock { state in
            let directives = event(&state)
            for case .roleChanged(let role) in directives {
                let continuations = observers.withLock { Array($0.continuations.values) }
                for continuation in continuations { continuation.yield(role) }
            }
            return directives
        }
        for case .recampaign(let reason) in directives {
            _ = roundEnd.withLock { $0?.yield(reason) }
        }
    }
}
