import Synchronization

/// Test double: a monotonic clock that moves only when the simulation advances it, so the
/// failure detector sees exactly the silences the scenario plays.
final class SimulatedClock: Sendable {
    private let elapsed = Mutex<Duration>(.zero)

    var now: Duration { elapsed.withLock { $0 } }

    func advance(by step: Duration) { elapsed.withLock { $0 += step } }
}
