import StrataCore

/// Recent answer times of each worker, and the hedge delay they give: how long a query waits
/// for a worker before it also asks another replica of the same slots. A value fed by the
/// shell (which owns the clock); it never reads one itself.
///
/// | the worker's recent answers | hedge delay |
/// |---|---|
/// | fewer than `minimumSamples` | `maximumDelay` (too little to tell slow from hung) |
/// | otherwise | their `percentile`, within `minimumDelay`...`maximumDelay` |
///
/// With the default 95th percentile about one call in twenty is hedged while a worker is well,
/// and a worker that stops answering costs at most the delay, not the query's deadline.
public struct LatencyTracker: Sendable, Equatable {
    /// From `query.hedge_percentile`, `query.hedge_min_delay_ms`, `query.hedge_max_delay_ms`.
    public struct Settings: Sendable, Equatable {
        public var percentile: Double
        public var minimumDelayMs: Double
        public var maximumDelayMs: Double
        /// Answers kept per worker (the most recent).
        public var window = 64
        public var minimumSamples = 8

        /// Refuses a percentile outside 50...100 and a minimum above the maximum.
        public init(percentile: Double = 95, minimumDelayMs: Double = 50, maximumDelayMs: Double = 1000) throws {
            guard percentile >= 50, percentile <= 100 else {
                throw StrataError.invalidArgument("query.hedge_percentile: \(percentile) must be within 50...100")
            }
            guard minimumDelayMs > 0, minimumDelayMs <= maximumDelayMs else {
                throw StrataError.invalidArgument("query.hedge_min_delay_ms: must be > 0 and at most query.hedge_max_delay_ms")
            }
            self.percentile = percentile
            self.minimumDelayMs = minimumDelayMs
            self.maximumDelayMs = maximumDelayMs
        }

        public init(_ config: QueryConfig) throws {
            try self.init(percentile: config.hedgePercentile, minimumDelayMs: Double(config.hedgeMinDelayMs),
                          maximumDelayMs: Double(config.hedgeMaxDelayMs))
        }
    }

    public let settings: Settings
    /// A ring of recent answer times (ms) and where the next one goes.
    private struct Window: Sendable, Equatable {
        var times: [Double] = []
        var next = 0
    }

    private var samples: [WorkerID: Window] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Records one answer of `worker` that took `milliseconds`.
    public mutating func record(_ worker: WorkerID, milliseconds: Double) {
        guard milliseconds.isFinite, milliseconds >= 0 else { return }
        var entry = samples[worker] ?? Window()
        if entry.times.count < settings.window {
            entry.times.append(milliseconds)
        } else {
            entry.times[entry.next] = milliseconds
        }
        entry.next = (entry.next + 1) % settings.window
        samples[worker] = entry
    }

    /// How long to wait for `worker` before asking another replica too, in milliseconds.
    public func hedgeDelayMs(for worker: WorkerID) -> Double {
        guard let times = samples[worker]?.times, times.count >= settings.minimumSamples else { return settings.maximumDelayMs }
        let sorted = times.sorted()
        let index = min(sorted.count - 1, Int((settings.percentile / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return min(settings.maximumDelayMs, max(settings.minimumDelayMs, sorted[max(0, index)]))
    }

    /// Forgets a worker (it left the cluster).
    public mutating func forget(_ worker: WorkerID) {
        samples[worker] = nil
    }
}
