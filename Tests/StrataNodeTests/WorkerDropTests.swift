import Foundation
import StrataCore
@testable import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

private func put(_ sequence: UInt64, _ id: String, _ text: String) -> StrataWire.SlotWrite {
    let chunk = ChunkMessage(namespace: "docs", contentHash: ContentHash.of(text),
                             provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1),
                             ordinal: 0, text: text, tokenCount: UInt32(text.count / 4 + 1))
    return StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .put(PutDocument(documentID: id, chunks: [chunk])))
}

@Suite("DROP on the worker") struct DropScheduleTests {
    @Test("a DROP is carried out only after it has stood for the grace; one that disappears starts over")
    func grace() {
        var schedule = DropSchedule(grace: .seconds(1))
        #expect(schedule.update(drops: [3: 10, 5: 7], now: .seconds(0)).isEmpty)
        #expect(schedule.update(drops: [3: 10, 5: 7], now: .milliseconds(999)).isEmpty)
        // Slot 5's drop was voided by the coordinator meanwhile; slot 3's guard moved up.
        #expect(schedule.update(drops: [3: 12], now: .seconds(1)) == [.init(slot: 3, ifAtMost: 12)])
        schedule.done(3)
        #expect(schedule.update(drops: [3: 12, 5: 7], now: .seconds(2)).isEmpty)
        #expect(schedule.update(drops: [3: 12, 5: 7], now: .seconds(3)).map(\.slot) == [3, 5])
    }
}

@Suite(.serialized) struct WorkerDropTests {
    @Test func aDroppedSlotIsGoneFromStoreIndexAndDiskAcrossARestart() async throws {
        let worker = try WorkerUnderTest()
        try await worker.apply(3, [put(1, "a.md", "the quick brown fox"), put(2, "b.md", "jumps over the lazy dog")])
        try await worker.apply(4, [put(1, "c.md", "a fox in another slot")])

        // The coordinator allowed up to 1, but the worker holds 2: it keeps the slot.
        #expect(try worker.node.dropSlot(3, ifAtMost: 1) == .kept(lastSequence: 2))
        #expect(try await worker.slotSequence(3) == 2)

        #expect(try worker.node.dropSlot(3, ifAtMost: 2) == .forgotten(lastSequence: 2))
        #expect(try await worker.slotSequence(3) == nil)
        #expect(try await worker.stream(3, after: 0) == [.totalBytes(0), .endSequence(0)])
        let search = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [3, 4], text: "fox", mode: .lexical, topK: 10))
        #expect(search.candidates.map(\.chunk.provenance.documentID) == ["c.md"])
        #expect(search.missingSlots == [3])
        #expect(try worker.node.dropSlot(3, ifAtMost: 0) == .notHeld)
        // A write still in flight to the dropped copy is refused as behind; nothing reappears.
        let late = await #expect(throws: RPCError.self) {
            _ = try await worker.channel.unary(MethodPath.workerApplyWrites, ApplyWritesRequest(
                slot: 3, writes: [put(3, "late.md", "a late write")], requiredSequence: 2).serializedBytes())
        }
        #expect(late?.code == .failedPrecondition)
        #expect(try await worker.slotSequence(3) == nil)

        let directory = worker.directory
        await worker.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        #expect(try await restarted.slotSequence(3) == nil)
        #expect(try await restarted.slotSequence(4) == 1)
        let again = try await restarted.search(WorkerSearchRequest(namespace: "docs", slots: [3, 4], text: "fox", mode: .lexical, topK: 10))
        #expect(again.candidates.map(\.chunk.provenance.documentID) == ["c.md"])
        // Placed here again: the slot is filled from sequence 1 like a new one.
        try await restarted.apply(3, [put(1, "d.md", "back again")])
        #expect(try await restarted.slotSequence(3) == 1)
        await restarted.destroy()
    }

    @Test func aJoiningWorkerTakesSlotsAndTheOldHoldersDropThem() async throws {
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        let documents = (0..<40).map { Document(id: "doc-\($0).md", text: "Document \($0) talks about replicas, slots and drops.") }
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: documents)])
        let query = QueryRequest(namespace: "docs", text: "replicas slots drops", topK: 40, tokenBudget: 4000, order: .score)
        let before = try await cluster.query(query)
        let tokensBefore = try cluster.workers.map { try $0.openStore().persistentStats().documentTokens }
        let heldBefore = cluster.workers.map { $0.status().slots.count }

        // R = 2 on two workers: both hold all 8 slots. A third joins: it takes a share, and the
        // old holders drop what is no longer placed on them.
        var config = try SmallCluster.config(TestSupport.temporaryDirectory("strata-joiner"))
        try config.set("worker.listen", text: "127.0.0.1:0")
        try config.set("worker.coordinator", text: cluster.coordinator.runtime.address)
        let joiner = try WorkerNode(config: config)
        try joiner.start()
        let all = cluster.workers + [joiner]
        #expect(try await cluster.eventually {
            // Every slot that holds data is on exactly R = 2 workers (nobody else kept a copy).
            var copies: [Int: Int] = [:]
            for worker in all { for position in worker.status().slots { copies[position.slot, default: 0] += 1 } }
            let status = try await cluster.clusterStatus()
            return !copies.isEmpty && copies.values.allSatisfy { $0 == 2 } && !joiner.status().slots.isEmpty
                && status.slotsFullyReplicated == 8 && status.transfers.isEmpty
        })
        let held = cluster.workers.map { $0.status().slots.count }
        let tokensAfter = try cluster.workers.map { try $0.openStore().persistentStats().documentTokens }
        // A worker that dropped slots stores fewer tokens; together the old workers store fewer.
        for (index, count) in held.enumerated() where count < heldBefore[index] { #expect(tokensAfter[index] < tokensBefore[index]) }
        #expect(tokensAfter.reduce(0, +) < tokensBefore.reduce(0, +))
        let after = try await cluster.query(query)
        #expect(passages(after) == passages(before))
        #expect(passages(after).count == 40)
        await joiner.shutdown()
        ChunkStore.destroyWarmTier(directory: config.node.dataDir + "/store")
        try? FileManager.default.removeItem(atPath: config.node.dataDir)
        await cluster.stop()
    }

    private func passages(_ items: [QueryResponse]) -> [String] {
        items.compactMap { item in
            if case .passage(let passage) = item { return "\(passage.provenance.documentID)|\(passage.text)" }
            return nil
        }
    }
}
