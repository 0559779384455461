import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire

/// A whole cluster in one process for simulation tests: a real `CoordinatorNode` and real
/// `WorkerNode`s with real stores in temporary directories, wired through an
/// `InProcessNetwork` (no sockets), on a `SimulatedClock`, with every timer fired by the test
/// (`round()`), so a seed replays the same failure order.
///
/// Nodes are killed by shutting them down and unplugging their address, and restarted as new
/// nodes over the same data directory and address (the coordinator from its persisted map).
final class SimulatedCluster: @unchecked Sendable {
    static let coordinatorAddress = "coordinator:7400"
    static let clientAddress = "client:0"
    static let heartbeatMs = 100

    let network: InProcessNetwork
    let clock = SimulatedClock()
    let root: String
    let replicas: Int
    let slots: Int
    private(set) var workerAddresses: [String]
    /// How often each worker's machine was replaced (its disk lost).
    private var generations: [Int]
    private(set) var coordinator: CoordinatorNode?
    private(set) var workers: [WorkerNode?]

    init(seed: UInt64, workers count: Int, replicas: Int, slots: Int = 8) throws {
        network = InProcessNetwork(seed: seed)
        root = TestSupport.temporaryDirectory("strata-sim")
        self.replicas = replicas
        self.slots = slots
        workerAddresses = (0..<count).map { "worker-\($0):7401" }
        workers = Array(repeating: nil, count: count)
        generations = Array(repeating: 0, count: count)
        // Fixed ids instead of random ones: node ids travel in heartbeats, and the network
        // draws its faults from the bytes of each call, so they must be the same every run.
        try Self.writeIdentity(root + "/coordinator", ["node-id": "coordinator-sim", "cluster-id": "strata-sim-\(seed)"])
        for index in 0..<count { try Self.writeIdentity(workerDirectory(index), ["node-id": "worker-sim-\(index)"]) }
        try startCoordinator()
        for index in 0..<count { try startWorker(index) }
    }

    private func environment(for address: String) -> NodeEnvironment {
        NodeEnvironment(
            connect: { [network] target, _ in network.transport(from: address, to: target) },
            servesGRPC: false, now: { [clock] in clock.now }, runsTimers: false)
    }

    private func config(_ directory: String) throws -> StrataConfig {
        var config = StrataConfig.default
        try config.set("node.data_dir", text: directory)
        try config.set("coordinator.listen", text: Self.coordinatorAddress)
        try config.set("coordinator.slots", text: "\(slots)")
        try config.set("coordinator.replicas", text: "\(replicas)")
        try config.set("coordinator.heartbeat_interval_ms", text: "\(Self.heartbeatMs)")
        try config.set("coordinator.suspect_after_ms", text: "\(3 * Self.heartbeatMs)")
        try config.set("coordinator.dead_after_ms", text: "\(6 * Self.heartbeatMs)")
        try config.set("query.max_top_k", text: "1000")
        // Faults are the point here: their warnings would bury the test output.
        try config.set("logging.level", text: "critical")
        for tier in ["hot", "warm", "cold"] { try config.set("tiers.\(tier).capacity_bytes", text: "1048576") }
        return config
    }

    func workerDirectory(_ index: Int) -> String { root + "/worker-\(index)" + (generations[index] > 0 ? "-r\(generations[index])" : "") }

    private static func writeIdentity(_ directory: String, _ files: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try AtomicFile.replace(directory + "/" + name, with: Array((text + "\n").utf8)) }
    }

    // MARK: node lifecycles

    func startCoordinator() throws {
        precondition(coordinator == nil)
        let node = try CoordinatorNode(config: config(root + "/coordinator"), environment: environment(for: Self.coordinatorAddress))
        try node.start()
        coordinator = node
        network.serve(Self.coordinatorAddress, node.runtime.services)
    }

    func stopCoordinator() async {
        guard let node = coordinator else { return }
        network.unplug(Self.coordinatorAddress)
        coordinator = nil
        await node.shutdown()
    }

    func startWorker(_ index: Int) throws {
        precondition(workers[index] == nil)
        var config = try config(workerDirectory(index))
        try config.set("worker.listen", text: workerAddresses[index])
        try config.set("worker.coordinator", text: Self.coordinatorAddress)
        let node = try WorkerNode(config: config, environment: environment(for: workerAddresses[index]))
        try node.start()
        workers[index] = node
        network.serve(workerAddresses[index], node.runtime.services)
    }

    func stopWorker(_ index: Int) async {
        guard let node = workers[index] else { return }
        network.unplug(workerAddresses[index])
        workers[index] = nil
        await node.shutdown()
    }

    /// The worker's machine is lost with its disk and replaced by a new, empty one (a new node
    /// id at a new address); the old id stays in the map until it is found dead.
    func replaceWorker(_ index: Int) async throws {
        await stopWorker(index)
        ChunkStore.destroyWarmTier(directory: workerDirectory(index) + "/store")
        try? FileManager.default.removeItem(atPath: workerDirectory(index))
        generations[index] += 1
        workerAddresses[index] = "worker-\(index)-r\(generations[index]):7401"
        try Self.writeIdentity(workerDirectory(index), ["node-id": "worker-sim-\(index)-r\(generations[index])"])
        try startWorker(index)
    }

    var runningWorkers: [Int] { workers.indices.filter { workers[$0] != nil } }

    // MARK: time

    /// One heartbeat interval: the clock moves, every running worker reports (in index order),
    /// then the coordinator's failure detector runs.
    func round() async {
        clock.advance(by: .milliseconds(Self.heartbeatMs))
        for worker in workers.compactMap({ $0 }) { await worker.runTimersOnce() }
        await coordinator?.runTimersOnce()
        // Slot copies started by the directives run as tasks of their own; let them move.
        try? await Task.sleep(for: .milliseconds(1))
    }

    /// Runs rounds until every slot is fully replicated with no copy in flight; false when
    /// that did not happen within `rounds`.
    func settle(rounds: Int = 200) async -> Bool {
        for _ in 0..<rounds {
            await round()
            if let status = try? await clusterStatus(), status.slotsFullyReplicated == UInt32(slots),
               status.slotsUnderReplicated == 0, status.slotsUnavailable == 0, status.transfers.isEmpty {
                return true
            }
        }
        return false
    }

    // MARK: teardown

    func destroy() async {
        await stopCoordinator()
        for index in workers.indices { await stopWorker(index) }
        for index in workers.indices { ChunkStore.destroyWarmTier(directory: workerDirectory(index) + "/store") }
        try? FileManager.default.removeItem(atPath: root)
    }
}
