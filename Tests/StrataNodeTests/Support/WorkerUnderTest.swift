import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataSearch
import StrataStore
import StrataTestSupport
import StrataWire

/// A standalone worker in this process, on a free port, with small tiers and its own data
/// directory, plus typed calls to its RPCs.
final class WorkerUnderTest: @unchecked Sendable {
    let directory: String
    let node: WorkerNode
    let channel: RPCChannel

    init(directory: String = TestSupport.temporaryDirectory("strata-worker"), settings: [String: String] = [:]) throws {
        self.directory = directory
        var config = StrataConfig.default
        try config.set("node.data_dir", text: directory)
        try config.set("worker.listen", text: "127.0.0.1:0")
        // In-process nodes share one host: no fixed /metrics ports (the interop tests cover them).
        try config.set("coordinator.metrics_port", text: "0")
        try config.set("worker.metrics_port", text: "0")
        try config.set("worker.coordinator", text: "")
        try config.set("query.max_top_k", text: "50")
        for tier in ["hot", "warm", "cold"] {
            try config.set("tiers.\(tier).capacity_bytes", text: "4194304")
        }
        for (key, value) in settings { try config.set(key, text: value) }
        node = try WorkerNode(config: config)
        try node.start()
        channel = RPCChannel(target: node.runtime.address)
    }

    @discardableResult
    func apply(_ slot: UInt32, _ writes: [StrataWire.SlotWrite]) async throws -> ApplyWritesResponse {
        try ApplyWritesResponse(serializedBytes: await channel.unary(
            MethodPath.workerApplyWrites, ApplyWritesRequest(slot: slot, writes: writes).serializedBytes()))
    }

    func stream(_ slot: UInt32, after: UInt64) async throws -> [SlotRecord] {
        var records: [SlotRecord] = []
        for try await bytes in channel.serverStreaming(MethodPath.workerStreamSlot, StreamSlotRequest(slot: slot, afterSequence: after).serializedBytes()) {
            records.append(try SlotRecord(serializedBytes: bytes))
        }
        return records
    }

    func slotSequence(_ slot: Int) async throws -> UInt64? {
        let status = try NodeStatusMessage(serializedBytes: await channel.unary(MethodPath.workerStatus, WorkerStatusRequest().serializedBytes()))
        return status.report.slots.first { $0.slot == slot }?.sequence
    }

    func statistics(_ slots: [UInt32], _ text: String) async throws -> StrataWire.LexicalStatistics {
        let terms = try LexicalQuery(text: text).terms
        return try StrataWire.LexicalStatistics(serializedBytes: await channel.unary(
            MethodPath.workerCollectStatistics, CollectStatisticsRequest(namespace: "docs", slots: slots, terms: terms).serializedBytes()))
    }

    func search(_ request: WorkerSearchRequest) async throws -> WorkerSearchResponse {
        try WorkerSearchResponse(serializedBytes: await channel.unary(MethodPath.workerSearch, request.serializedBytes()))
    }

    func fetch(_ hashes: [ContentHash]) async throws -> [ChunkMessage] {
        var chunks: [ChunkMessage] = []
        for try await bytes in channel.serverStreaming(
            MethodPath.workerFetchChunks, FetchChunksRequest(namespace: "docs", contentHashes: hashes).serializedBytes()) {
            chunks.append(try ChunkMessage(serializedBytes: bytes))
        }
        return chunks
    }

    func stop() async { await node.shutdown() }

    func destroy() async {
        await stop()
        ChunkStore.destroyWarmTier(directory: directory + "/store")
        try? FileManager.default.removeItem(atPath: directory)
    }
}
