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
/// | has not answered within its hedge delay (and another replica of its slots is reachable) | asks the other replicas too; the first complete answer for the slots wins, the other call is cancelled |
/// | none of the slots' replicas is left to ask | the slots are unanswered: the answer is degraded |
///
/// Every call runs within the query's deadline. A slot's data always comes from exactly one
/// answer (the worker's whole answer, or the other replicas' answers for all of its slots),
/// so sums such as BM25 statistics never count a slot twice.
///
/// Thread hops cost more than the work on a small query, so a read spends tasks only where
/// they buy something: one worker's read runs in the query's own task, and a worker whose
/// slots have no other reachable replica (one worker, or R = 1) is called with no hedge
/// timer beside it, since a hedge could ask nobody.
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
        await cover(targets, excluding: [], call)
    }

    /// Covers `slots` from their replicas other than `excluding` (a plan of its own).
    func fallback<T: Sendable>(
        _ slots: [Int], excluding: Set<WorkerID>, _ call: @escaping @Sendable (Target, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        let plan = membership.queryPlan(slots: slots, excluding: excluding)
        var outcome = await cover(Self.targets(plan), excluding: excluding, call)
        outcome.unanswered += plan.missing
        return outcome
    }

    /// Every target at once; a single target (one worker holds every slot asked) in the
    /// calling task, since a child task costs a thread wake-up to start and another to join.
    private func cover<T: Sendable>(
        _ targets: [Target], excluding: Set<WorkerID>, _ call: @escaping @Sendable (Target, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        if targets.count == 1 { return await cover(targets[0], excluding: excluding, call) }
        return await withTaskGroup(of: Outcome<T>.self) { group in
            for target in targets {
                group.addTask { await cover(target, excluding: excluding, call) }
            }
            var outcome = Outcome<T>()
            for await part in group { outcome.add(part) }
            return outcome
        }
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
        guard membership.hasOtherReplica(of: target.slots, excluding: others) else {
            return await coverAlone(target, others: others, call)
        }
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

    /// A worker's slots when no other replica of them can be asked now (one worker, or one
    /// replica per slot): a hedge could ask nobody, so the call runs in the calling task with
    /// no timer beside it (a timer task and a call task would cost thread wake-ups to start,
    /// cancel and join). The outcome is the one `cover` gives: the deadline is the call's
    /// timeout, the query's cancellation cancels the call, and a failure still asks the
    /// slots' replicas (one may be reachable again by then).
    private func coverAlone<T: Sendable>(
        _ target: Target, others: Set<WorkerID>, _ call: @escaping @Sendable (Target, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        let started = ContinuousClock.now
        do {
            let value = try await call(target, try options())
            latencies.record(target.worker, milliseconds: (ContinuousClock.now - started).seconds * 1000)
            return Outcome(answers: [Answer(target: target, value: value)])
        } catch {
            var outcome = await fallback(target.slots, excluding: others, call)
            outcome.failures = ["\(target.worker): \(PathRedaction.redact("\(error)"))"] + outcome.failures
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
