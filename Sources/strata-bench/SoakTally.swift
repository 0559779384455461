import Foundation
import StrataWire
import Synchronization

/// What the soak's clients saw, shared by its tasks: queries answered, degraded and failed,
/// Ingest calls acknowledged and refused, the acknowledged documents, kills and restarts.
final class SoakTally: Sendable {
    private struct Counts {
        var answered = 0
        var degraded = 0
        var failed = 0
        var queryLatencies: [Double] = []
        var ingestAcknowledged = 0
        var ingestFailed = 0
        var documentsRejected = 0
        var acknowledged: [Int: [Document]] = [:]
        var kills = 0
        var restarts = 0
        var restartSeconds: [Double] = []
        var failureReasons: [String: Int] = [:]
    }

    private let counts = Mutex(Counts())

    func query(degraded: Bool, seconds: Double) {
        counts.withLock { counts in
            if degraded { counts.degraded += 1 } else { counts.answered += 1 }
            counts.queryLatencies.append(seconds)
        }
    }

    func queryFailed(_ error: any Error) {
        counts.withLock { counts in
            counts.failed += 1
            counts.failureReasons["query: " + Self.reason(error), default: 0] += 1
        }
    }

    /// An acknowledged Ingest call: its documents, less those the coordinator rejected.
    func ingested(batch: Int, _ documents: [Document], rejected: [DocumentError]) {
        let refused = Set(rejected.map(\.documentID))
        counts.withLock { counts in
            counts.ingestAcknowledged += 1
            counts.documentsRejected += refused.count
            counts.acknowledged[batch] = documents.filter { !refused.contains($0.id) }
        }
    }

    func ingestFailed(_ error: any Error) {
        counts.withLock { counts in
            counts.ingestFailed += 1
            counts.failureReasons["ingest: " + Self.reason(error), default: 0] += 1
        }
    }

    func killed() { counts.withLock { $0.kills += 1 } }
    func restarted(after seconds: Double) {
        counts.withLock {
            $0.restarts += 1
            $0.restartSeconds.append(seconds)
        }
    }

    func acknowledged() -> [Int: [Document]] { counts.withLock { $0.acknowledged } }

    func printTable(plan: SoakPlan, readBack: SoakReadBack.Result) {
        let counts = counts.withLock { $0 }
        let queries = counts.answered + counts.degraded + counts.failed
        let latency = LatencySummary(latencies: counts.queryLatencies, seconds: 1)
        let documents = counts.acknowledged.values.reduce(0) { $0 + $1.count }
        print("| measurement | figure |")
        print("|---|---:|")
        print("| load phase | \(plan.loadSeconds) s, a worker killed every \(plan.killEverySeconds) s, down \(plan.downSeconds) s |")
        print("| queries answered (complete) | \(counts.answered) of \(queries) |")
        print("| queries degraded (some slots missing from the answer) | \(counts.degraded) |")
        print("| queries failed (error) | \(counts.failed) |")
        print("| query latency p50 / p99 (answered and degraded) | \(format(latency.p50Microseconds / 1000, 1)) / \(format(latency.p99Microseconds / 1000, 1)) ms |")
        print("| Ingest calls acknowledged / refused | \(counts.ingestAcknowledged) / \(counts.ingestFailed) |")
        print("| documents acknowledged | \(documents)\(counts.documentsRejected > 0 ? " (\(counts.documentsRejected) rejected)" : "") |")
        print("| acknowledged documents read back byte-identical | \(readBack.identical) of \(documents) |")
        print("| acknowledged documents missing / different | \(readBack.missing) / \(readBack.different) |")
        print("| worker SIGKILLs / restarts | \(counts.kills) / \(counts.restarts) |")
        if !counts.restartSeconds.isEmpty {
            print("| restart to serving (median / max) | \(format(LatencySummary.percentile(counts.restartSeconds.sorted(), 0.5), 2)) / \(format(counts.restartSeconds.max() ?? 0, 2)) s |")
        }
        if !counts.failureReasons.isEmpty {
            print("\nWhat failed calls said (count, first 100 characters):")
            for (reason, count) in counts.failureReasons.sorted(by: { $0.value > $1.value }).prefix(8) {
                print("- \(count) × \(reason)")
            }
        }
    }

    /// The error's text with its numbers blanked, so that one cause is counted once.
    private static func reason(_ error: any Error) -> String {
        String(String("\(error)".map { $0.isNumber ? "#" : $0 }).prefix(100))
    }
}
