import Foundation
import StrataCore
import StrataNode
import StrataStore
import StrataWire
import Testing

/// A restarted coordinator confirms a slot as soon as one replica reports a position at the
/// slot's durable acknowledged mark (issue 15), instead of waiting for n - W + 1 of its holders.
@Suite(.serialized) struct RestartAtDurableMarkTests {
    /// R = 3 with W = 1: before, a restarted coordinator waited for all 3 holders of every
    /// written slot (3 - 1 + 1) and refused writes to it while one worker came back; now the
    /// one worker, at the durable marks, confirms every slot and writes are acknowledged.
    @Test func oneReplicaAtTheDurableMarkMakesTheSlotsWritableAgain() async throws {
        let cluster = try await SmallCluster(workers: 3, replicas: 3) { try $0.set("coordinator.write_quorum", text: "1") }
        let root = try #require(cluster.root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let coordinator = cluster.coordinator
        let workers = cluster.workers
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        let first = try await cluster.ingest([IngestRequest(namespace: "docs", documents: (0..<16).map { Document(id: "a\($0)", text: "first \($0)") })])
        #expect(first.documents == 16)

        // The coordinator and two of the three workers stop; the coordinator starts again on
        // its address, and the one worker left reports to it.
        let address = coordinator.runtime.address
        await coordinator.shutdown()
        for worker in workers[1...] { await worker.shutdown() }
        var config = coordinator.runtime.config
        try config.set("coordinator.listen", text: address)
        let restarted = try CoordinatorNode(config: config)
        try restarted.start()
        let after = SmallCluster(coordinator: restarted, workers: [workers[0]], directories: [])
        // Acknowledged once the worker has reported to the restarted coordinator (a batch
        // sent before is refused, with retry). Before, never: two of the slots' three holders
        // never come back.
        let batch = IngestRequest(namespace: "docs", documents: (0..<16).map { Document(id: "b\($0)", text: "second \($0)") })
        var acknowledged: UInt64 = 0
        _ = try await after.eventually {
            acknowledged = (try? await after.ingest([batch]))?.documents ?? 0
            return acknowledged == 16
        }
        #expect(acknowledged == 16)
        await workers[0].shutdown()
        await restarted.shutdown()
        for directory in cluster.directories { ChunkStore.destroyWarmTier(directory: directory + "/store") }
    }
}
