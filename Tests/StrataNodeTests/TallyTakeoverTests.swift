import Foundation
import StrataCore
import StrataEtcd
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// Coordinators sharing etcd: documents acknowledged through one leader are listed (with
/// their content hashes) and counted by the next, and the syncs reported to it show on the
/// next (issue 15). Before, each coordinator kept its own tally and sync records, and a new
/// leader listed nothing ingested through its predecessor.
@Suite(.serialized, .enabled(if: EtcdAvailability.installed, EtcdAvailability.reason))
struct TallyTakeoverTests {
    private static func list(_ address: String, _ namespace: String) async throws -> [DocumentEntry] {
        try ListDocumentsResponse(serializedBytes: await RPCChannel(target: address).unary(
            MethodPath.coordinatorListDocuments, ListDocumentsRequest(namespace: namespace).serializedBytes())).documents
    }

    private static func namespaces(_ address: String) async throws -> [NamespaceInfo] {
        try ListNamespacesResponse(serializedBytes: await RPCChannel(target: address).unary(
            MethodPath.coordinatorListNamespaces, ListNamespacesRequest().serializedBytes())).namespaces
    }

    @Test func theNextLeaderListsAndCountsWhatThePreviousOneAcknowledged() async throws {
        try await withEtcd { etcd in
            let root = TestSupport.temporaryDirectory("strata-tally-takeover")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let prefix = "/tally-\(UInt32.random(in: 0...UInt32.max))/"
            let first = try await CoordinatorNode.open(config: EtcdCoordinators.config(root + "/coordinator-1", etcd: etcd.endpoints, prefix: prefix))
            try first.start()
            #expect(try await EtcdCoordinators.eventually { EtcdCoordinators.leads(first) })
            let second = try await CoordinatorNode.open(config: EtcdCoordinators.config(root + "/coordinator-2", etcd: etcd.endpoints, prefix: prefix))
            try second.start()
            var workers: [WorkerNode] = []
            for index in 0..<2 {
                var config = try SmallCluster.config(root + "/worker-\(index)")
                try config.set("worker.listen", text: "127.0.0.1:0")
                try config.set("worker.coordinator", text: "\(first.runtime.address),\(second.runtime.address)")
                let worker = try WorkerNode(config: config)
                try worker.start()
                workers.append(worker)
            }
            defer {
                for index in 0..<2 { ChunkStore.destroyWarmTier(directory: root + "/worker-\(index)/store") }
            }
            let leader = RPCChannel(target: first.runtime.address)
            let slots = UInt32(first.runtime.config.coordinator.slots)
            #expect(try await EtcdCoordinators.eventually {
                try ClusterStatusResponse(serializedBytes: await leader.unary(
                    MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes())).slotsFullyReplicated == slots
            })
            _ = try await leader.unary(MethodPath.coordinatorCreateNamespace,
                                       CreateNamespaceRequest(name: "docs", tokenizer: .estimate, chunkChars: 64, chunkOverlap: 8).serializedBytes())
            // Documents of several chunks (overlapping), so the content hash must come from
            // the text rebuilt from the replica's chunks.
            let texts = Dictionary(uniqueKeysWithValues: (0..<20).map { index in
                ("doc-\(index)", (0..<(1 + index % 4)).map { "line \($0) of document \(index) with some words in it" }.joined(separator: "\n"))
            })
            let call = try leader.clientStreaming(MethodPath.coordinatorIngest)
            try await call.send(IngestRequest(namespace: "docs", documents: texts.keys.sorted().map { Document(id: $0, text: texts[$0]!) }).serializedBytes())
            let summary = try IngestSummary(serializedBytes: await call.finish())
            #expect(summary.documents == 20 && summary.rejected.isEmpty)
            _ = try await leader.unary(MethodPath.coordinatorDeleteDocuments,
                                       DeleteDocumentsRequest(namespace: "docs", documentIDs: ["doc-0"]).serializedBytes())
            // A directory sync's report, kept in the control plane for the next leader.
            var report = SyncRecord(syncID: "run-1", namespace: "docs", source: "host:/src", state: .running)
            report.toAdd = 20
            _ = try await leader.unary(MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: report).serializedBytes())
            report.sent = 20
            report.state = .finished
            _ = try await leader.unary(MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: report).serializedBytes())
            let before = try #require(try await Self.namespaces(first.runtime.address).first)
            #expect(before.documents == 19)

            // The first leader goes; the second takes the lead and answers from the replicas'
            // state, not from a tally of its own (it never took a write).
            await first.shutdown()
            #expect(try await EtcdCoordinators.eventually { EtcdCoordinators.leads(second) })
            var listed: [DocumentEntry] = []
            #expect(try await EtcdCoordinators.eventually {
                listed = try await Self.list(second.runtime.address, "docs")
                return true
            })
            #expect(listed.map(\.documentID) == texts.keys.filter { $0 != "doc-0" }.sorted())
            for entry in listed {
                #expect(entry.contentHash == ContentHash.of(texts[entry.documentID]!).description, "\(entry.documentID)")
            }
            let after = try #require(try await Self.namespaces(second.runtime.address).first)
            #expect(after.documents == before.documents)
            #expect(after.chunks == before.chunks)
            #expect(after.tokens == before.tokens)
            let status = try NamespaceStatus(serializedBytes: await RPCChannel(target: second.runtime.address).unary(
                MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "docs").serializedBytes()))
            #expect(status.lastSync?.syncID == "run-1" && status.lastSync?.state == .finished && status.runningSync == nil)
            #expect(status.unsettledDocuments == 0)

            for worker in workers { await worker.shutdown() }
            await second.shutdown()
        }
    }
}
