import Foundation
import StrataCluster
import StrataCore
import StrataRPC
import Synchronization

/// The reads of one query phase -- one call per worker, each covering some slots -- made so that
/// an answer is degraded only when no replica of a slot answered:
///
/// | the worker asked for some slots | what the query does |
/// |---|---|
/// | answers | takes the answer, records how long it took (`LatencyTracker`) |
/// | fails (connection refused, UNAVAILABLE, any error) | asks the slots' other replicas at once (`QueryPlanner` without the workers tried) |
/// | has not answered within its hedge delay | asks the other replicas too; the first complete answer for the slots wins, the other call is cancelled |
/// | none of the slots' replicas is left to ask | the slots are unanswered: the answer is degraded |
///
/// Every call runs within the query's deadline. A slot's data always comes from exactly one
/// answer (the worker's whole answer, or the other replicas' answers for all of its slots),
/// so sums such as BM25 statistics never count a slot twice.
struct HedgedReads: Sendable {
    /// A call to make: a worker and the slots it should answer for.
    struct Target: Sendable {
        var worker: WorkerID
        var address: String
        var slots: [Int]
        /// Of `slots`, those whose chosen replica may be behind (the answer must say so).
        var stale: [Int]
    }

    struct Answer<T: Sendable>: Sendable {
        var target: Target
        var value: T
    }

    struct Outcome<T: Sendable>: Sendable {
        var answers: [Answer<T>] = []
        /// Slots no replica answered for.
        var unanswered: [Int] = []
        /// "worker: error" of every call that failed (for the degraded reason and the log).
        var failures: [String] = []

        mutating func add(_ other: Outcome<T>) {
            answers += other.answers
            unanswered += other.unanswered
            failures += other.failures
        }
    }

    let membership: CoordinatorMembership
    let latencies: LatencyBook
    let deadline: ContinuousClock.Instant

    /// Covers `targets` (a query plan), asking other replicas as the table says.
    func read<T: Sendable>(
        _ targets: [Target], _ call: @escaping @Sendable (Target, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        await withTaskGroup(of: Outcome<T>.self) { group in
            for target in targets {
                group.addTask { await cover(target, excluding: [], call) }
            }
            var outcome = Outcome<T>()
            for await part in group { outcome.add(part) }
            return outcome
        }
    }

    /// Covers `slots` from their replicas other than `excluding` (a plan of its own).
    func fallback<T: Sendable>(
        _ slots: [Int], excluding: Set<WorkerID>, _ call: @escaping @Sendable (Target, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        let plan = membership.queryPlan(slots: slots, excluding: excluding)
        let targets = Self.targets(plan)
        var outcome = await withTaskGroup(of: Outcome<T>.self) { group in
            for target in targets {
                group.addTask { await cover(target, excluding: excluding, call) }
            }
            var outcome = Outcome<T>()
            for await part in group { outcome.add(part) }
            return outcome
        }
        outcome.unanswered += plan.missing
        return outcome
    }

    /// The targets of a plan from `CoordinatorMembership.queryPlan`.
    static func targets(_ plan: (assignments: [(worker: WorkerID, address: String, slots: [Int])], missing: [Int], stale: [Int])) -> [Target] {
        let stale = Set(plan.stale)
        return plan.assignments.map { Target(worker: $0.worker, address: $0.address, slots: $0.slots, stale: $0.slots.filter(stale.contains)) }
    }

    private enum Event<T: Sendable>: Sendable {
        case answered(Result<T, any Error>, milliseconds: Double)
        case hedgeDue
        case others(Outcome<T>)
    }

    /// One worker's slots: its answer, or its replicas' answers when it fails or is late.
    private func cover<T: Sendable>(
        _ target: Target, excluding: Set<WorkerID>, _ call: @escaping @Sendable (Target, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        let others = excluding.union([target.worker])
        let delay = Duration.milliseconds(latencies.hedgeDelayMs(for: target.worker))
        return await withTaskGroup(of: Event<T>.self) { group in
            group.addTask {
                let started = ContinuousClock.now
                do {
                    let value = try await call(target, try options())
                    return .answered(.success(value), milliseconds: (ContinuousClock.now - started).seconds * 1000)
                } catch {
                    return .answered(.failure(error), milliseconds: 0)
                }
            }
            group.addTask {
                try? await Task.sleep(for: delay)
                return .hedgeDue
            }
            var failures: [String] = []
            var asking = false
            var failed = false
            var partial: Outcome<T>?
            while let event = await group.next() {
                switch event {
                case .answered(.success(let value), let milliseconds):
                    latencies.record(target.worker, milliseconds: milliseconds)
                    group.cancelAll()
                    return Outcome(answers: [Answer(target: target, value: value)], failures: failures)
                case .answered(.failure(let error), _):
                    failed = true
                    failures.append("\(target.worker): \(PathRedaction.redact("\(error)"))")
                    if var outcome = partial {
                        group.cancelAll()
                        outcome.failures = failures + outcome.failures
                        return outcome
                    }
                    if !asking {
                        asking = true
                        group.addTask { .others(await fallback(target.slots, excluding: others, call)) }
                    }
                case .hedgeDue:
                    if !asking && !failed && !Task.isCancelled {
                        asking = true
                        group.addTask { .others(await fallback(target.slots, excluding: others, call)) }
                    }
                case .others(var outcome):
                    // Complete, or the worker failed too: take it. Partial while the worker may
                    // still answer for all its slots: wait for the worker.
                    guard !outcome.unanswered.isEmpty && !failed else {
                        group.cancelAll()
                        outcome.failures = failures + outcome.failures
                        return outcome
                    }
                    partial = outcome
                }
            }
            var outcome = partial ?? Outcome(unanswered: target.slots)
            outcome.failures = failures + outcome.failures
            return outcome
        }
    }

    /// The call options of a call starting now: what is left of the query's deadline.
    private func options() throws -> CallOptions {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { throw RPCError(.deadlineExceeded, "the query's deadline passed") }
        return CallOptions(timeout: left)
    }
}

/// The coordinator's `LatencyTracker`, shared by its queries.
final class LatencyBook: Sendable {
    private let tracker: Mutex<LatencyTracker>

    init(settings: LatencyTracker.Settings) {
        tracker = Mutex(LatencyTracker(settings: settings))
    }

    func record(_ worker: WorkerID, milliseconds: Double) {
        tracker.withLock { $0.record(worker, milliseconds: milliseconds) }
    }

    func hedgeDelayMs(for worker: WorkerID) -> Double {
        tracker.withLock { $0.hedgeDelayMs(for: worker) }
    }
}
