import Foundation
import StrataCore
@testable import StrataNode
import StrataRPC
import StrataWire
import Testing

/// Workers refuse the commands of a deposed coordinator leadership (issue 15): every write
/// carries the leader's epoch, and a worker that has seen a newer one says FAILED_PRECONDITION
/// and changes nothing -- also after a restart.
@Suite struct EpochFencingTests {
    private static func delete(_ sequence: UInt64, _ id: String) -> StrataWire.SlotWrite {
        StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .deleteDocument(id: id))
    }

    private static func apply(_ worker: WorkerUnderTest, epoch: UInt64, _ writes: [StrataWire.SlotWrite]) async throws {
        _ = try await worker.channel.unary(
            MethodPath.workerApplyWrites, ApplyWritesRequest(slot: 2, writes: writes, coordinatorEpoch: epoch).serializedBytes())
    }

    @Test func writesOfAnOlderEpochAreRefusedAndChangeNothing() async throws {
        let worker = try WorkerUnderTest()
        try await Self.apply(worker, epoch: 7, [Self.delete(1, "a")])
        let stale = await #expect(throws: RPCError.self) { try await Self.apply(worker, epoch: 6, [Self.delete(2, "b")]) }
        #expect(stale?.code == .failedPrecondition)
        #expect(stale?.message.contains("stale coordinator epoch 6 < 7") == true, "\(stale?.message ?? "")")
        #expect(try await worker.slotSequence(2) == 1)
        // The same epoch and newer ones go through; 0 (unfenced callers) too.
        try await Self.apply(worker, epoch: 7, [Self.delete(2, "b")])
        try await Self.apply(worker, epoch: 9, [Self.delete(3, "c")])
        try await Self.apply(worker, epoch: 0, [Self.delete(4, "d")])
        // The highest epoch survives a restart.
        let directory = worker.directory
        await worker.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        let afterRestart = await #expect(throws: RPCError.self) { try await Self.apply(restarted, epoch: 8, [Self.delete(5, "e")]) }
        #expect(afterRestart?.code == .failedPrecondition)
        #expect(try await restarted.slotSequence(2) == 4)
        await restarted.destroy()
    }

    @Test func aCoordinatorOnLocalFilesFencesItsPredecessor() async throws {
        // Each start of a coordinator on local files raises its epoch, so the writes of the
        // previous process (had it lingered) would be refused once the new one has written.
        let cluster = try await SmallCluster(workers: 1, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: [Document(id: "x", text: "one")])])
        let epoch = try String(contentsOfFile: cluster.directories[0] + "/coordinator-epoch-seen", encoding: .utf8)
        let coordinatorEpoch = try String(contentsOfFile: try #require(cluster.root) + "/coordinator/coordinator-epoch", encoding: .utf8)
        #expect(epoch == coordinatorEpoch)
        #expect(UInt64(epoch.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 1)
        await cluster.stop()
    }

    @Test func theLeaderNamedInARefusalIsFound() {
        // The coordinator's refusal, through the same mapping the RPC server uses.
        let refusal = RPCError(mapping: StrataError(.unavailable, "this coordinator is not the leader; the leader is at 10.0.0.2:7400",
                                                    metadata: LeaderHint.metadata("10.0.0.2:7400")))
        #expect(refusal.code == .unavailable)
        #expect(LeaderHint.leader(in: refusal.metadata) == "10.0.0.2:7400")
        #expect(LeaderHint.leader(in: StrataError(relaying: refusal).metadata) == "10.0.0.2:7400")
        #expect(LeaderHint.leader(in: LeaderHint.metadata(nil)) == nil)
    }
}
