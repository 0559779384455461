import StrataCore
import Synchronization

/// How current a coordinator's cluster map is: when it last confirmed it with etcd (a load,
/// or a watch answer — etcd reports its revision about once a second even when nothing
/// changes) and, once that is longer ago than `coordinator.stale_after_ms`, why its answers
/// are flagged stale. A coordinator that lost etcd keeps answering from the last map it knew;
/// the flag tells clients that documents written since may be missing.
final class ControlPlaneFreshness: Sendable {
    private struct State {
        var confirmedAt: ContinuousClock.Instant
        /// The control plane's last error since the last confirmation.
        var problem: String?
    }

    let staleAfter: Duration
    private let state: Mutex<State>

    init(staleAfter: Duration, now: ContinuousClock.Instant = .now) {
        self.staleAfter = staleAfter
        state = Mutex(State(confirmedAt: now))
    }

    /// The map was just confirmed with the control plane.
    func confirm(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.confirmedAt = max(state.confirmedAt, now)
            state.problem = nil
        }
    }

    /// The control plane failed (watch broken, load refused); kept for the stale reason.
    func failed(_ problem: String) {
        state.withLock { $0.problem = problem }
    }

    /// How long ago the map was last confirmed.
    func age(at now: ContinuousClock.Instant = .now) -> Duration {
        state.withLock { max(.zero, now - $0.confirmedAt) }
    }

    /// Why answers are stale, or nil while the map was confirmed within `staleAfter`.
    func staleReason(at now: ContinuousClock.Instant = .now) -> String? {
        let (confirmedAt, problem) = state.withLock { ($0.confirmedAt, $0.problem) }
        let age = now - confirmedAt
        guard age > staleAfter else { return nil }
        var reason = "answered from the cluster map last confirmed with etcd \(String(format: "%.1f", age.seconds)) s ago"
        reason += " (coordinator.stale_after_ms \(staleAfter.milliseconds))"
        if let problem { reason += ": \(problem)" }
        return reason + "; documents written since may be missing"
    }
}
