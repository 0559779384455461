import StrataControlPlane
import StrataEtcd
import StrataTestSupport
import Testing

@Suite(.enabled(if: EtcdAvailability.installed, EtcdAvailability.reason))
struct EtcdControlPlaneStoreTests {
    private func store(_ etcd: LocalEtcd, maxOperations: Int = 128, maxRequestBytes: Int = 1_500_000) throws -> EtcdControlPlaneStore {
        EtcdControlPlaneStore(client: try etcdClient(etcd.endpoints), layout: try EtcdControlPlaneLayout(prefix: "/strata/test"),
                              maxOperationsPerTransaction: maxOperations, maxRequestBytes: maxRequestBytes)
    }

    /// A leadership as `LeaderElection` makes it: a key under the election prefix with a lease.
    private func campaign(_ store: EtcdControlPlaneStore, ttl: Int64 = 30) async throws -> LeaderToken {
        let lease = try await store.client.leaseGrant(ttl: ttl)
        let key = store.layout.candidateKey(lease: lease.id)
        let put = try await store.client.put(EtcdPutRequest(key: key, value: Array("me:7400".utf8), lease: lease.id))
        return LeaderToken(key: key, epoch: put.header.revision, lease: lease.id)
    }

    @Test func commitsAndLoadsRecordsAndMarks() async throws {
        try await withEtcd { etcd in
            let store = try store(etcd)
            let empty = try await store.load()
            #expect(empty.records.isEmpty && empty.highWaterMarks.isEmpty)
            let leader = try await campaign(store)
            let revision = try await store.commit(ControlPlaneBatch(
                leader: leader, expectedRevisions: [.clusterMap: .zero],
                records: [.clusterMap: Array(#"{"version":1}"#.utf8), .clusterID: Array("strata-e\n".utf8)],
                highWaterMarks: [0: 5, 255: 9]))
            let snapshot = try await store.load()
            #expect(snapshot.revision >= revision)
            #expect(snapshot.records[.clusterMap] == StoredRecord(bytes: Array(#"{"version":1}"#.utf8), revision: revision))
            #expect(snapshot[.clusterID] == Array("strata-e\n".utf8))
            #expect(snapshot.highWaterMarks == [0: 5, 255: 9])
            // The layout in etcd, as an operator sees it with etcdctl.
            let raw = try await store.client.range(.prefix(Array("/strata/test/hwm/".utf8)))
            #expect(raw.kvs.map { String(decoding: $0.key, as: UTF8.self) } == ["/strata/test/hwm/00000", "/strata/test/hwm/00255"])
            #expect(raw.kvs.map { String(decoding: $0.value, as: UTF8.self) } == ["5", "9"])
            // Deleting a record.
            _ = try await store.commit(ControlPlaneBatch(leader: leader, records: [.clusterID: nil]))
            #expect(try await store.load()[.clusterID] == nil)
        }
    }

    @Test func aDeposedLeadersWriteFailsAndChangesNothing() async throws {
        try await withEtcd { etcd in
            let store = try store(etcd)
            let old = try await campaign(store)
            _ = try await store.commit(ControlPlaneBatch(leader: old, records: [.clusterMap: [1]], highWaterMarks: [1: 1]))
            // The old leader's lease ends (expired or revoked); a new one campaigns.
            _ = try await store.client.leaseRevoke(id: old.lease)
            let new = try await campaign(store)
            #expect(new.epoch > old.epoch)
            let refused = await #expect(throws: ControlPlaneError.self) {
                try await store.commit(ControlPlaneBatch(leader: old, records: [.clusterMap: [2]], highWaterMarks: [1: 2]))
            }
            #expect(refused?.kind == .notLeader)
            #expect(refused?.message.contains("key is gone from etcd") == true)
            let snapshot = try await store.load()
            #expect(snapshot[.clusterMap] == [1])
            #expect(snapshot.highWaterMarks == [1: 1])
            _ = try await store.commit(ControlPlaneBatch(leader: new, records: [.clusterMap: [3]]))
            #expect(try await store.load()[.clusterMap] == [3])
        }
    }

    @Test func aRecordWrittenSinceItWasReadIsAConflict() async throws {
        try await withEtcd { etcd in
            let store = try store(etcd)
            let leader = try await campaign(store)
            let first = try await store.commit(ControlPlaneBatch(leader: leader, records: [.clusterMap: [1]]))
            _ = try await store.commit(ControlPlaneBatch(leader: leader, expectedRevisions: [.clusterMap: first], records: [.clusterMap: [2]]))
            let conflict = await #expect(throws: ControlPlaneError.self) {
                try await store.commit(ControlPlaneBatch(leader: leader, expectedRevisions: [.clusterMap: first], records: [.clusterMap: [3]]))
            }
            #expect(conflict?.kind == .conflict)
            #expect(conflict?.message.hasPrefix("the cluster-map record changed: expected revision \(first.value)") == true)
            #expect(try await store.load()[.clusterMap] == [2])
        }
    }

    @Test func marksBeyondOneTransactionAreSplitAndRecordsTooLargeRefused() async throws {
        try await withEtcd { etcd in
            let store = try store(etcd, maxOperations: 8, maxRequestBytes: 4_096)
            let leader = try await campaign(store)
            let marks = Dictionary(uniqueKeysWithValues: (0..<30).map { ($0, UInt64(100 + $0)) })
            _ = try await store.commit(ControlPlaneBatch(leader: leader, records: [.namespaces: [1, 2]], highWaterMarks: marks))
            #expect(try await store.load().highWaterMarks == marks)
            let big = await #expect(throws: ControlPlaneError.self) {
                try await store.commit(ControlPlaneBatch(leader: leader, records: [.namespaces: [UInt8](repeating: 7, count: 5_000)]))
            }
            #expect(big?.kind == .tooLarge)
            #expect(big?.message.contains("the namespaces record alone is 5000 bytes") == true)
        }
    }

    @Test func followersWatchEveryCommitFromTheirSnapshot() async throws {
        try await withEtcd { etcd in
            let leaderStore = try store(etcd)
            let follower = try store(etcd)
            let leader = try await campaign(leaderStore)
            _ = try await leaderStore.commit(ControlPlaneBatch(leader: leader, records: [.clusterMap: [1]]))
            let snapshot = try await follower.load()
            let updates = follower.watch(after: snapshot.revision)
            var expected = snapshot
            for index in 1...5 {
                let batch = ControlPlaneBatch(leader: leader, records: [.clusterMap: [UInt8(index + 1)]], highWaterMarks: [index: UInt64(index)])
                let revision = try await leaderStore.commit(batch)
                expected = ControlPlaneUpdate(revision: revision, records: batch.records, highWaterMarks: batch.highWaterMarks).applied(to: expected)
            }
            var seen = snapshot
            for try await update in updates {
                seen = update.applied(to: seen)
                if seen.revision >= expected.revision { break }
            }
            #expect(seen == expected)
        }
    }
}
