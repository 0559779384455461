import Foundation
import StrataCore
@testable import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

@Suite(.serialized) struct WeightedPlacementTests {
    /// End to end: `worker.weight` travels in the registration and the coordinator's placement
    /// honours it (R = 1, 1024 slots, so each slot's one replica shows the share directly).
    @Test func aWorkerOfWeightTwoGetsAboutTwiceTheSlots() async throws {
        let root = TestSupport.temporaryDirectory("strata-weights")
        var coordinatorConfig = try SmallCluster.config(root + "/coordinator", replicas: 1)
        try coordinatorConfig.set("coordinator.slots", text: "1024")
        let coordinator = try CoordinatorNode(config: coordinatorConfig)
        try coordinator.start()
        var workers: [WorkerNode] = []
        for (index, weight) in ["1", "1", "2"].enumerated() {
            var config = try SmallCluster.config(root + "/worker-\(index)")
            try config.set("worker.listen", text: "127.0.0.1:0")
            try config.set("worker.coordinator", text: coordinator.runtime.address)
            try config.set("worker.weight", text: weight)
            let worker = try WorkerNode(config: config)
            try worker.start()
            workers.append(worker)
        }
        let cluster = SmallCluster(coordinator: coordinator, workers: workers, directories: (0..<3).map { root + "/worker-\($0)" }, root: root)
        #expect(try await cluster.eventually { coordinator.membership.queryPlan().assignments.count == 3 })
        let records = coordinator.membership.snapshot().workers
        #expect(records.map(\.weight).sorted() == [1, 1, 2])
        let counts = Dictionary(uniqueKeysWithValues: coordinator.membership.queryPlan().assignments.map { ($0.worker, $0.slots.count) })
        let heavy = try #require(records.first { $0.weight == 2 }?.id)
        let light = records.filter { $0.weight == 1 }.map { counts[$0.id] ?? 0 }
        let ratio = Double(counts[heavy] ?? 0) / (Double(light.reduce(0, +)) / 2)
        print("weights 1, 1, 2 over 1024 slots (R = 1): \(counts); the weight-2 worker holds \(ratio)x a weight-1 share")
        #expect(counts.values.reduce(0, +) == 1024)
        #expect(ratio > 1.6 && ratio < 2.5, "\(counts)")
        await cluster.stop()
    }
}
