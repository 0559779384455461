import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

@Suite(.serialized) struct MembershipTests {
    @Test func workersRegisterAndTheMapIsPersisted() async throws {
        let cluster = try await SmallCluster(workers: 2)
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
        let cluster = try await SmallCluster(workers: 2)
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
