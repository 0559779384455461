/// Calls per second and latency percentiles of one benchmark run.
struct LatencySummary: CustomStringConvertible {
    let calls: Int
    let seconds: Double
    let p50Microseconds: Double
    let p99Microseconds: Double

    var callsPerSecond: Double { Double(calls) / seconds }

    /// Summarises per-call latencies (in seconds) measured over `seconds` of wall time.
    init(latencies: [Double], seconds: Double) {
        let sorted = latencies.sorted()
        calls = sorted.count
        self.seconds = seconds
        p50Microseconds = Self.percentile(sorted, 0.50) * 1e6
        p99Microseconds = Self.percentile(sorted, 0.99) * 1e6
    }

    init(calls: Int, seconds: Double, p50Microseconds: Double, p99Microseconds: Double) {
        self.calls = calls
        self.seconds = seconds
        self.p50Microseconds = p50Microseconds
        self.p99Microseconds = p99Microseconds
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))
        return sorted[index]
    }

    var description: String {
        "\(format(callsPerSecond, 0)) calls/s, p50 \(format(p50Microseconds, 0)) µs, p99 \(format(p99Microseconds, 0)) µs"
    }
}

/// Fixed-point formatting without Foundation's locale machinery.
func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if decimals == 0 { return String(Int(rounded)) }
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    }
    return text
}
