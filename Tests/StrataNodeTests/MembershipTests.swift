import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// A coordinator and workers in this process, on free ports, with fast heartbeats.
private struct SmallCluster {
    let coordinator: CoordinatorNode
    let workers: [WorkerNode]
    let directories: [String]

    static func config(_ directory: String) throws -> StrataConfig {
        var config = StrataConfig.default
        try config.set("node.data_dir", text: directory)
        try config.set("coordinator.listen", text: "127.0.0.1:0")
        try config.set("coordinator.slots", text: "8")
        try config.set("coordinator.replicas", text: "2")
        try config.set("coordinator.heartbeat_interval_ms", text: "50")
        try config.set("coordinator.suspect_after_ms", text: "1000")
        try config.set("coordinator.dead_after_ms", text: "2000")
        for tier in ["hot", "warm", "cold"] { try config.set("tiers.\(tier).capacity_bytes", text: "4194304") }
        return config
    }

    init(workers count: Int) throws {
        let root = TestSupport.temporaryDirectory("strata-cluster")
        coordinator = try CoordinatorNode(config: Self.config(root + "/coordinator"))
        try coordinator.start()
        var workers: [WorkerNode] = []
        var directories: [String] = []
        for index in 0..<count {
            var config = try Self.config(root + "/worker-\(index)")
            try config.set("worker.listen", text: "127.0.0.1:0")
            try config.set("worker.coordinator", text: coordinator.runtime.address)
            let worker = try WorkerNode(config: config)
            try worker.start()
            workers.append(worker)
            directories.append(root + "/worker-\(index)")
        }
        self.workers = workers
        self.directories = directories
    }

    func clusterStatus() async throws -> ClusterStatusResponse {
        try ClusterStatusResponse(serializedBytes: await RPCChannel(target: coordinator.runtime.address).unary(
            MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes()))
    }

    /// Polls `condition` until it holds (no timing assertion: a generous cap only stops a hang).
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let giveUp = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < giveUp {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func stop() async {
        for worker in workers { await worker.shutdown() }
        await coordinator.shutdown()
        for directory in directories { ChunkStore.destroyWarmTier(directory: directory + "/store") }
    }
}

@Suite(.serialized) struct MembershipTests {
    @Test func workersRegisterAndTheMapIsPersisted() async throws {
        let cluster = try SmallCluster(workers: 2)
        #expect(try await cluster.eventually {
            let status = try await cluster.clusterStatus()
            return status.nodes.filter { $0.role == .worker && $0.state == .serving }.count == 2
        })
        let status = try await cluster.clusterStatus()
        #expect(status.slotCount == 8)
        #expect(status.replicationFactor == 2)
        #expect(status.slotsFullyReplicated == 8)
        let mapFile = cluster.coordinator.runtime.config.node.dataDir + "/cluster-map.json"
        #expect(FileManager.default.fileExists(atPath: mapFile))
        await cluster.stop()
    }

    @Test func aReplicaThatMissedWritesCatchesUpFromAnother() async throws {
        let cluster = try SmallCluster(workers: 2)
        #expect(try await cluster.eventually { try await cluster.clusterStatus().slotsFullyReplicated == 8 })
        // Three writes reach only the first worker; the coordinator learns of them from its
        // heartbeat and tells the second worker to fetch them.
        let first = RPCChannel(target: cluster.workers[0].runtime.address)
        let writes = (1...3).map { sequence in
            StrataWire.SlotWrite(sequence: UInt64(sequence), namespace: "docs", operation: .deleteDocument(id: "doc-\(sequence)"))
        }
        _ = try await first.unary(MethodPath.workerApplyWrites, ApplyWritesRequest(slot: 5, writes: writes).serializedBytes())
        #expect(try await cluster.eventually {
            cluster.workers[1].status().slots.first { $0.slot == 5 }?.sequence == 3
        })
        await cluster.stop()
    }
}
