import Foundation
import StrataText

extension TokenBench {
    /// How far the `estimate` tokenizer is from exact cl100k_base counts, per file and in total.
    struct EstimateError {
        let files: Int
        let meanAbsolute: Double
        let p90Absolute: Double
        let maxAbsolute: Double
        let total: Double

        static func measure(files: [(path: String, text: String)], estimate: EstimateTokenizer, exact: BPETokenizer) -> EstimateError {
            var errors: [Double] = []
            var exactTotal = 0, estimateTotal = 0
            for file in files where file.text.utf8.count >= 200 {
                let want = exact.countTokens(file.text)
                let got = estimate.countTokens(file.text)
                exactTotal += want
                estimateTotal += got
                errors.append(abs(Double(got - want)) / Double(max(want, 1)))
            }
            errors.sort()
            guard !errors.isEmpty else { return EstimateError(files: 0, meanAbsolute: 0, p90Absolute: 0, maxAbsolute: 0, total: 0) }
            return EstimateError(
                files: errors.count,
                meanAbsolute: errors.reduce(0, +) / Double(errors.count),
                p90Absolute: errors[min(errors.count - 1, errors.count * 9 / 10)],
                maxAbsolute: errors.last!,
                total: Double(estimateTotal - exactTotal) / Double(max(exactTotal, 1)))
        }

        var summary: String {
            String(format: "  estimate vs cl100k_base over %d files: mean |error| %.1f%%, p90 %.1f%%, max %.1f%%, total %+.2f%%",
                   files, meanAbsolute * 100, p90Absolute * 100, maxAbsolute * 100, total * 100)
        }
    }
}
