import StrataCore
import Testing
@testable import StrataCluster

@Suite("ClusterReadiness: up means a write would be accepted")
struct ClusterReadinessTests {
    typealias W = ClusterReadiness.Worker

    static let three = [
        W(id: "worker-a", address: "127.0.0.1:7401", state: .serving),
        W(id: "worker-b", address: "127.0.0.1:7402", state: .serving),
        W(id: "worker-c", address: "127.0.0.1:7403", state: .serving),
    ]
    static let addresses = three.map(\.address)

    @Test("Every expected worker serving and every slot fully replicated: ready")
    func ready() {
        let readiness = ClusterReadiness(slotCount: 256, fullyReplicated: 256, unavailable: 0, workers: Self.three, expectedWorkers: Self.addresses)
        #expect(readiness.isReady && readiness.waitingFor.isEmpty)
    }

    @Test("Right after start: no worker registered yet, every slot without a replica")
    func nothingRegistered() {
        let readiness = ClusterReadiness(slotCount: 256, fullyReplicated: 0, unavailable: 256, workers: [], expectedWorkers: Self.addresses)
        #expect(readiness.waitingFor == [
            "worker 127.0.0.1:7401 has not registered", "worker 127.0.0.1:7402 has not registered",
            "worker 127.0.0.1:7403 has not registered", "256 of 256 slots are not fully replicated, 256 with no live replica",
        ])
    }

    @Test("Two of three registered and their slots placed: still waiting for the third, by name")
    func oneMissing() {
        let readiness = ClusterReadiness(
            slotCount: 256, fullyReplicated: 256, unavailable: 0, workers: Array(Self.three.prefix(2)), expectedWorkers: Self.addresses)
        #expect(readiness.waitingFor == ["worker 127.0.0.1:7403 has not registered"])
    }

    @Test("A suspect worker or slots still unplaced keep the cluster not ready")
    func suspectAndUnderReplicated() {
        var workers = Self.three
        workers[1].state = .suspect
        let readiness = ClusterReadiness(slotCount: 256, fullyReplicated: 200, unavailable: 0, workers: workers, expectedWorkers: Self.addresses)
        #expect(readiness.waitingFor == [
            "worker 127.0.0.1:7402 (worker-b) is suspect", "56 of 256 slots are not fully replicated",
        ])
    }

    @Test("A worker restarted under a new id at the same address counts once it serves; a dead one nobody expects is ignored")
    func restartedAndDead() {
        var workers = Self.three
        workers.append(W(id: "worker-old", address: "127.0.0.1:7403", state: .dead))
        workers.append(W(id: "worker-gone", address: "127.0.0.1:7409", state: .dead))
        #expect(ClusterReadiness(slotCount: 8, fullyReplicated: 8, unavailable: 0, workers: workers, expectedWorkers: Self.addresses).isReady)
        #expect(ClusterReadiness(slotCount: 8, fullyReplicated: 8, unavailable: 0, workers: workers).isReady)
    }

    @Test("Without expected workers: at least one serving, none suspect or starting")
    func noExpectations() {
        #expect(ClusterReadiness(slotCount: 8, fullyReplicated: 0, unavailable: 8, workers: []).waitingFor == [
            "no worker has registered", "8 of 8 slots are not fully replicated, 8 with no live replica",
        ])
        let starting = [W(id: "worker-a", address: "a:1", state: .serving), W(id: "worker-b", address: "b:1", state: .starting)]
        #expect(ClusterReadiness(slotCount: 8, fullyReplicated: 8, unavailable: 0, workers: starting).waitingFor == [
            "worker b:1 (worker-b) is starting",
        ])
    }
}
