import StrataCore
import Testing

@testable import StrataCluster

/// The core reports a known worker's liveness changes as a decision, so the shell can log
/// when and why a worker was taken for suspect or dead (and when it was heard from again).
@Suite("CoordinatorCore liveness decisions")
struct CoordinatorCoreLivenessTests {
    static func leader() throws -> CoordinatorCore {
        let settings = CoordinatorCore.Settings(
            slotCount: 8, replicationFactor: 1, detector: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000),
            planner: try .init(StrataConfig.default.coordinator), quorum: try WriteQuorum(), publishesPositions: false)
        return try CoordinatorCore.start(settings: settings, restored: .init(), role: .leader(epoch: 1), now: 0).0
    }

    static func liveness(_ decisions: [CoordinatorDecision]) -> [FailureDetector.Transition] {
        decisions.flatMap { decision -> [FailureDetector.Transition] in
            if case .livenessChanged(let changes) = decision { return changes }
            return []
        }
    }

    @Test("suspect, dead and heard again are decided; a registration and quiet ticks are not")
    func transitionsAreReported() throws {
        var core = try Self.leader()
        let registered = try core.handle(.workerRegistered(WorkerRegistration(id: "w1", address: "a:1"), now: 0))
        #expect(Self.liveness(registered).isEmpty)
        #expect(Self.liveness(try core.handle(.timeAdvanced(now: 1_000))).isEmpty)
        #expect(Self.liveness(try core.handle(.timeAdvanced(now: 2_000)))
            == [.init(worker: "w1", from: .live, to: .suspect, incarnation: 1)])
        #expect(Self.liveness(try core.handle(.timeAdvanced(now: 5_000)))
            == [.init(worker: "w1", from: .suspect, to: .dead, incarnation: 1)])
        let heard = try core.handle(.heartbeat(worker: "w1", incarnation: 1, positions: [:], digests: [:], now: 5_100))
        #expect(Self.liveness(heard) == [.init(worker: "w1", from: .dead, to: .live, incarnation: 1)])
        let again = try core.handle(.heartbeat(worker: "w1", incarnation: 1, positions: [:], digests: [:], now: 5_200))
        #expect(Self.liveness(again).isEmpty)
    }
}
