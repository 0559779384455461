import Foundation
import StrataCore
@testable import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// Issue 12, item 2: the internal services are validated like the client's. One call with an
/// out-of-range value (from a bug, or from anyone who can reach the port) is refused and
/// changes nothing; a worker never reports state that keeps it out of its cluster.
@Suite(.serialized) struct InternalCallTests {
    private static func delete(_ sequence: UInt64, _ id: String) -> StrataWire.SlotWrite {
        StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .deleteDocument(id: id))
    }

    @Test func applyWritesOutsideTheSlotRangeOrOutOfOrderIsRefusedAndNotPersisted() async throws {
        let worker = try WorkerUnderTest()  // standalone: S is its own coordinator.slots, 256
        for (slot, writes, field) in [
            (UInt32(256), [Self.delete(1, "a")], "slot: slot 256 is out of range 0..<256"),
            (UInt32.max, [Self.delete(1, "a")], "slot: slot 4294967295 is out of range"),
            (3, [Self.delete(2, "a"), Self.delete(2, "b")], "writes[1].sequence"),
            (3, [Self.delete(0, "a")], "writes[0].sequence"),
            (3, [Self.delete(UInt64.max, "a")], "writes[0].sequence"),
        ] {
            let error = await #expect(throws: RPCError.self) { try await worker.apply(slot, writes) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
        }
        #expect(worker.node.status().slots.isEmpty)
        let stream = await #expect(throws: RPCError.self) { _ = try await worker.stream(256, after: 0) }
        #expect(stream?.code == .invalidArgument)
        // Nothing reached the disk: a restart holds no slot either.
        let directory = worker.directory
        await worker.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        #expect(restarted.node.status().slots.isEmpty)
        await restarted.destroy()
    }

    /// A worker whose disk holds a slot outside the cluster (written before workers refused
    /// such writes) is not locked out: the slot is quarantined, the worker registers and serves.
    @Test func aWorkerWithAnOutOfRangeSlotOnDiskStillJoins() async throws {
        let root = TestSupport.temporaryDirectory("strata-quarantine")
        // A standalone worker configured with more slots than the cluster has writes slot 300.
        var standalone = try SmallCluster.config(root + "/worker")
        try standalone.set("coordinator.slots", text: "512")
        try standalone.set("worker.listen", text: "127.0.0.1:0")
        try standalone.set("worker.coordinator", text: "")
        let before = try WorkerNode(config: standalone)
        try before.start()
        _ = try before.applyWrites(ApplyWritesRequest(slot: 300, writes: [Self.delete(1, "stray")]))
        _ = try before.applyWrites(ApplyWritesRequest(slot: 3, writes: [Self.delete(1, "kept")]))
        await before.shutdown()

        let coordinator = try CoordinatorNode(config: SmallCluster.config(root + "/coordinator"))  // S = 8
        try coordinator.start()
        var config = standalone
        try config.set("worker.coordinator", text: coordinator.runtime.address)
        let worker = try WorkerNode(config: config)
        try worker.start()
        let cluster = SmallCluster(coordinator: coordinator, workers: [worker], directories: [root + "/worker"])
        #expect(try await cluster.eventually {
            try await cluster.clusterStatus().nodes.contains { $0.role == .worker && $0.state == .serving }
                && worker.slotRange.count == 8
        })
        #expect(worker.status().slots.map(\.slot) == [3])
        #expect(coordinator.membership.snapshot().workers.first?.positions == [3: 1])
        // It learnt S = 8 and keeps it: slot 300 stays refused after a restart too.
        #expect(throws: StrataError.self) { _ = try worker.applyWrites(ApplyWritesRequest(slot: 8, writes: [Self.delete(2, "x")])) }
        await cluster.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test func aStrayHeartbeatOrAbsurdWeightLocksNobodyOut() async throws {
        let cluster = try await SmallCluster(workers: 1)
        #expect(try await cluster.waitUntilReady())
        let id = cluster.workers[0].runtime.identity.nodeID
        let incarnation = try #require(cluster.coordinator.membership.snapshot().workers.first?.incarnation)
        let membership = RPCChannel(target: cluster.coordinator.runtime.address)
        // A heartbeat naming the real worker with an absurd incarnation is answered
        // "reregister" and changes nothing.
        let answer = try HeartbeatResponse(serializedBytes: await membership.unary(
            MethodPath.membershipHeartbeat, HeartbeatRequest(nodeID: id, incarnation: .max, slots: [SlotPosition(slot: 1, sequence: 77)]).serializedBytes()))
        #expect(answer.reregister)
        let record = try #require(cluster.coordinator.membership.snapshot().workers.first)
        #expect(record.incarnation == incarnation)
        #expect(record.positions[1] == nil)
        // The real worker's heartbeats go on being accepted.
        let mapVersion = try await cluster.clusterStatus().mapVersion
        #expect(try await cluster.eventually { try await cluster.clusterStatus().mapVersion >= mapVersion
            && cluster.coordinator.membership.snapshot().workers.first?.state == .live })
        // A registration claiming a finite but absurd weight is refused, naming the field.
        let weight = await #expect(throws: RPCError.self) {
            _ = try await membership.unary(MethodPath.membershipRegisterWorker, RegisterRequest(
                nodeID: "greedy", address: "127.0.0.1:1", capacity: Capacity(weight: 1e300), incarnation: 1).serializedBytes())
        }
        #expect(weight?.code == .invalidArgument)
        #expect(weight?.message.contains("capacity.weight") == true)
        #expect(cluster.coordinator.membership.snapshot().workers.map(\.id) == [id])
        await cluster.stop()
    }
}
