import StrataCore
import Synchronization

/// The last `capacity` durations of one kind of step (a ring), for a median at scrape time:
/// how long the control plane's high-water-mark commits and the ingest batches they belong
/// to took, side by side on /metrics.
final class RecentLatencies: Sendable {
    private let capacity: Int
    private let ring: Mutex<(values: [Double], next: Int, count: UInt64)>

    init(capacity: Int = 4096) {
        self.capacity = capacity
        ring = Mutex(([], 0, 0))
    }

    func record(_ duration: Duration) {
        let seconds = duration.seconds
        ring.withLock { ring in
            if ring.values.count < capacity {
                ring.values.append(seconds)
            } else {
                ring.values[ring.next] = seconds
            }
            ring.next = (ring.next + 1) % capacity
            ring.count += 1
        }
    }

    /// The median of the recent durations in seconds (0 when none), and how many were ever recorded.
    func median() -> (seconds: Double, count: UInt64) {
        let (values, count) = ring.withLock { ($0.values, $0.count) }
        guard !values.isEmpty else { return (0, count) }
        return (values.sorted()[values.count / 2], count)
    }
}
