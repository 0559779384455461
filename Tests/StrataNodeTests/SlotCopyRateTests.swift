import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

@Suite(.serialized) struct SlotCopyRateTests {
    /// A lower bound only (a slow machine makes the copy longer, never shorter): the copy
    /// cannot beat the rate limit, and its progress is reported in bytes.
    @Test func aSlotCopyKeepsToTheRateAndReportsItsBytes() async throws {
        let root = TestSupport.temporaryDirectory("strata-rate")
        let rate = 200_000
        var coordinatorConfig = try SmallCluster.config(root + "/coordinator", replicas: 2)
        try coordinatorConfig.set("coordinator.recovery_rate_bytes_per_second", text: "\(rate)")
        let coordinator = try CoordinatorNode(config: coordinatorConfig)
        try coordinator.start()
        func worker(_ name: String) throws -> WorkerNode {
            var config = try SmallCluster.config(root + "/" + name)
            try config.set("worker.listen", text: "127.0.0.1:0")
            try config.set("worker.coordinator", text: coordinator.runtime.address)
            let node = try WorkerNode(config: config)
            try node.start()
            return node
        }
        let channel = RPCChannel(target: coordinator.runtime.address)
        func status() async throws -> ClusterStatusResponse {
            try ClusterStatusResponse(serializedBytes: await channel.unary(MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes()))
        }
        let first = try worker("worker-0")
        let cluster = SmallCluster(coordinator: coordinator, workers: [first], directories: [root + "/worker-0"], root: root)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        let text = (0..<400).map { "Line \($0) of a document that is copied at a limited rate.\n" }.joined()
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: (0..<64).map { Document(id: "doc-\($0).txt", text: text + "\($0)") })])

        let started = ContinuousClock.now
        let second = try worker("worker-1")
        var seen: [UInt32: (copied: UInt64, total: UInt64)] = [:]
        #expect(try await cluster.eventually {
            let now = try await status()
            for transfer in now.transfers where transfer.targetNode == second.runtime.identity.nodeID {
                let before = seen[transfer.slot] ?? (0, 0)
                seen[transfer.slot] = (max(before.copied, transfer.bytesCopied), max(before.total, transfer.bytesTotal))
            }
            return second.status().slots.count == first.status().slots.count && now.slotsFullyReplicated == 8 && now.transfers.isEmpty
        })
        let took = ContinuousClock.now - started
        // Every slot was copied; the copies moved what the source announced.
        #expect(second.status().slots.count >= 7)  // every slot with data (64 documents in 8 slots)
        #expect(seen.values.contains { $0.copied > 0 && $0.total >= $0.copied })
        // At most 2 copies into one worker at once (RecoveryPlanner.Settings), each at most at
        // `rate` after a burst of 64 KiB: the whole copy cannot be faster than that.
        let stored = UInt64(second.status().tiers.first { $0.tier == .persistent }?.bytesUsed ?? 0)
        // (The bytes on disk stand in for the bytes streamed; 0.8 allows for the WAL's framing.)
        let floor = (0.8 * Double(stored) - 8 * 65_536) / Double(2 * rate)
        #expect(took.seconds >= floor, "copied \(stored) bytes in \(took), faster than the limit allows (\(floor) s)")
        print("SlotCopyRateTests: \(stored) bytes on disk copied in \(took) (rate \(rate) B/s per copy, floor \(floor) s)")
        await second.shutdown()
        await cluster.stop()
        ChunkStore.destroyWarmTier(directory: root + "/worker-1/store")
    }
}
