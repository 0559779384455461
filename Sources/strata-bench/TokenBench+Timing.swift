import Foundation

extension TokenBench {
    /// Timing helpers for the benchmark.
    enum Timing {
        static func seconds(since start: DispatchTime) -> Double {
            Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        }

        /// Runs `body` once to warm up, then `runs` times, and returns the median seconds.
        static func median(runs: Int, _ body: () -> Void) -> Double {
            median(samples(runs: runs, body))
        }

        /// Runs `body` once to warm up, then `runs` times, and returns each run's seconds.
        static func samples(runs: Int, _ body: () -> Void) -> [Double] {
            body()
            var times: [Double] = []
            for _ in 0..<max(1, runs) {
                let start = DispatchTime.now()
                body()
                times.append(seconds(since: start))
            }
            return times
        }

        static func median(_ samples: [Double]) -> Double {
            let sorted = samples.sorted()
            return sorted[sorted.count / 2]
        }

        static func report(_ label: String, seconds: Double, bytes: Double, tokens: Int) {
            let padded = label.padding(toLength: 26, withPad: " ", startingAt: 0)
            print(padded + String(format: " %8.2f MB/s  %11.0f tokens/s  (%.3f s)",
                                  bytes / seconds / 1e6, Double(tokens) / seconds, seconds))
        }
    }
}
