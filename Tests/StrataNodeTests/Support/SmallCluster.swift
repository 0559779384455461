import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire

/// A coordinator and workers in this process, on free ports, with fast heartbeats.
struct SmallCluster {
    let coordinator: CoordinatorNode
    let workers: [WorkerNode]
    let directories: [String]
    /// The folder holding every node's data directory, removed by `stop()`.
    let root: String?

    /// A cluster of nodes the test started itself (with settings `init(workers:)` does not
    /// take); `root`, the folder of their data directories, goes with `stop()`.
    init(coordinator: CoordinatorNode, workers: [WorkerNode], directories: [String], root: String? = nil) {
        self.coordinator = coordinator
        self.workers = workers
        self.directories = directories
        self.root = root
    }

    static func config(_ directory: String, replicas: Int = 2) throws -> StrataConfig {
        var config = StrataConfig.default
        try config.set("node.data_dir", text: directory)
        try config.set("coordinator.listen", text: "127.0.0.1:0")
        // In-process nodes share one host: no fixed /metrics ports (the interop tests cover them).
        try config.set("coordinator.metrics_port", text: "0")
        try config.set("worker.metrics_port", text: "0")
        try config.set("coordinator.slots", text: "8")
        try config.set("coordinator.replicas", text: "\(replicas)")
        try config.set("coordinator.heartbeat_interval_ms", text: "50")
        // Generous next to the 50 ms heartbeats: CI runs every suite in parallel on two cores,
        // and a worker paused past these under that load would be declared dead and make
        // writes flap (no test here waits for a death).
        try config.set("coordinator.suspect_after_ms", text: "4000")
        try config.set("coordinator.dead_after_ms", text: "8000")
        for tier in ["hot", "warm", "cold"] { try config.set("tiers.\(tier).capacity_bytes", text: "4194304") }
        return config
    }

    /// `configure` changes the coordinator's settings before it starts. When a node fails to
    /// start, the nodes already started are shut down and the folder removed before the error
    /// is thrown (a test that never gets a cluster cannot stop it).
    init(workers count: Int, replicas: Int = 2, configure: (inout StrataConfig) throws -> Void = { _ in }) async throws {
        let root = TestSupport.temporaryDirectory("strata-cluster")
        var coordinator: CoordinatorNode?
        var workers: [WorkerNode] = []
        var directories: [String] = []
        do {
            var config = try Self.config(root + "/coordinator", replicas: replicas)
            try configure(&config)
            let started = try CoordinatorNode(config: config)
            coordinator = started
            try started.start()
            for index in 0..<count {
                var config = try Self.config(root + "/worker-\(index)")
                try config.set("worker.listen", text: "127.0.0.1:0")
                try config.set("worker.coordinator", text: started.runtime.address)
                directories.append(root + "/worker-\(index)")
                let worker = try WorkerNode(config: config)
                workers.append(worker)
                try worker.start()
            }
            self.coordinator = started
        } catch {
            for worker in workers { await worker.shutdown() }
            await coordinator?.shutdown()
            for directory in directories { ChunkStore.destroyWarmTier(directory: directory + "/store") }
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        self.workers = workers
        self.directories = directories
        self.root = root
    }

    func clusterStatus() async throws -> ClusterStatusResponse {
        try ClusterStatusResponse(serializedBytes: await RPCChannel(target: coordinator.runtime.address).unary(
            MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes()))
    }

    /// Polls `condition` until it holds (no timing assertion: a generous cap only stops a hang).
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let giveUp = ContinuousClock.now + .seconds(300)  // a hang guard: on two busy cores the pool has been saturated for over a minute
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
        if let root { try? FileManager.default.removeItem(atPath: root) }
    }
}

extension SmallCluster {
    var channel: RPCChannel { RPCChannel(target: coordinator.runtime.address) }

    /// Waits until every worker is registered and every slot fully replicated.
    func waitUntilReady() async throws -> Bool {
        try await eventually { try await clusterStatus().slotsFullyReplicated == UInt32(coordinator.runtime.config.coordinator.slots) }
    }

    func createNamespace(_ request: CreateNamespaceRequest) async throws -> NamespaceInfo {
        try NamespaceInfo(serializedBytes: await channel.unary(MethodPath.coordinatorCreateNamespace, request.serializedBytes()))
    }

    func ingest(_ batches: [IngestRequest]) async throws -> IngestSummary {
        let call = try channel.clientStreaming(MethodPath.coordinatorIngest)
        for batch in batches { try await call.send(batch.serializedBytes()) }
        return try IngestSummary(serializedBytes: await call.finish())
    }

    func namespaces() async throws -> [NamespaceInfo] {
        try ListNamespacesResponse(serializedBytes: await channel.unary(MethodPath.coordinatorListNamespaces, ListNamespacesRequest().serializedBytes())).namespaces
    }
}

extension SmallCluster {
    /// Runs a query and collects its answer stream.
    func query(_ request: QueryRequest) async throws -> [QueryResponse] {
        var items: [QueryResponse] = []
        for try await bytes in channel.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes()) {
            items.append(try QueryResponse(serializedBytes: bytes))
        }
        return items
    }
}
