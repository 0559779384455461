import Foundation

/// The text of `strata ingest`'s progress: a bar with files, tokens, tokens/s and an ETA.
///
/// Pure so that it can be tested; the CLI decides where and how often to print it. The bar
/// and the ETA follow bytes sent against the survey's total (files differ too much in size
/// for a file count to predict time).
public struct IngestProgressLine: Sendable, Hashable {
    /// What the walk will visit (an upper bound: binary files are found only when read).
    public var total: IngestSurvey
    /// Files sent so far.
    public var files = 0
    /// Text bytes sent so far.
    public var bytes = 0
    /// Tokens in what was sent, counted with the namespace's tokenizer.
    public var tokens = 0
    /// False when `tokens` is an estimate (the namespace's vocabulary is not on this machine).
    public var tokensExact = true

    public init(total: IngestSurvey) { self.total = total }

    /// The progress after `seconds`; `barWidth` 0 leaves the bar out (plain log lines).
    public func render(seconds: Double, barWidth: Int = 24) -> String {
        let fraction = total.bytes > 0 ? min(Double(bytes) / Double(total.bytes), 1) : 1
        let elapsed = max(seconds, 0.001)
        let rate = Double(tokens) / elapsed
        let approx = tokensExact ? "" : "~"
        var parts: [String] = []
        if barWidth > 0 {
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]")
        }
        parts.append(String(format: "%3.0f%%", fraction * 100))
        parts.append("\(files)/\(total.files) files")
        parts.append("\(approx)\(Self.compact(Double(tokens))) tokens")
        parts.append("\(approx)\(Self.compact(rate)) tokens/s")
        parts.append("ETA " + Self.eta(fraction: fraction, seconds: elapsed))
        return parts.joined(separator: "  ")
    }

    /// 950, 12.3K, 4.56M, 1.2B.
    static func compact(_ value: Double) -> String {
        switch value {
        case ..<1_000: return String(format: "%.0f", value)
        case ..<1_000_000: return String(format: "%.1fK", value / 1e3)
        case ..<1_000_000_000: return String(format: "%.2fM", value / 1e6)
        default: return String(format: "%.2fB", value / 1e9)
        }
    }

    /// Time left at the rate so far: "--" before anything is known, then 42s, 3m05s, 1h02m.
    static func eta(fraction: Double, seconds: Double) -> String {
        guard fraction > 0 else { return "--" }
        let left = Int((seconds / fraction - seconds).rounded())
        if left < 60 { return "\(left)s" }
        if left < 3600 { return String(format: "%dm%02ds", left / 60, left % 60) }
        return String(format: "%dh%02dm", left / 3600, left % 3600 / 60)
    }
}
