import Foundation

/// Timing helpers for `strata-bench search`: wall time of single calls, percentiles.
extension SearchBench {
    /// Summary of per-call latencies.
    struct LatencySummary: CustomStringConvertible {
        var samples: [Double]  // milliseconds

        func percentile(_ p: Double) -> Double {
            guard !samples.isEmpty else { return .nan }
            let sorted = samples.sorted()
            let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
            return sorted[rank]
        }

        var description: String {
            String(format: "p50 %7.3f ms   p99 %7.3f ms   (n=%d)", percentile(50), percentile(99), samples.count)
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func milliseconds(since start: UInt64) -> Double { Double(now() - start) / 1e6 }

    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }

    /// Runs `body` for each input after `warmup` untimed calls; returns per-call latencies.
    static func measure<Input>(_ inputs: [Input], warmup: Int, _ body: (Input) throws -> Void) rethrows
        -> LatencySummary
    {
        for input in inputs.prefix(warmup) { try body(input) }
        var samples: [Double] = []
        samples.reserveCapacity(inputs.count)
        for input in inputs {
            let start = now()
            try body(input)
            samples.append(milliseconds(since: start))
        }
        return LatencySummary(samples: samples)
    }
}
