import Foundation
import StrataControlPlane
import StrataTestSupport
import Testing

@Suite struct LocalFileControlPlaneStoreTests {
    private func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = TestSupport.temporaryDirectory("strata-control-plane")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory)
    }

    private func file(_ directory: String, _ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: "\(directory)/\(name)").map { [UInt8]($0) }
    }

    @Test func anExistingDataDirectoryIsReadAsItIs() async throws {
        try await withDirectory { directory in
            // The files a single coordinator writes today, byte for byte.
            let files: [ControlPlaneRecord: String] = [
                .clusterID: "strata-1a2b3c4d\n",
                .clusterMap: #"{"formatVersion":1,"replicationFactor":2,"slotCount":4,"slots":[],"version":7,"workers":[]}"#,
                .sequenceCeilings: #"{"0":4096,"3":8192}"#,
                .restartPending: #"{"waiting":{}}"#,
                .namespaces: #"{"formatVersion":1,"namespaces":{}}"#,
            ]
            for (record, text) in files {
                #expect(FileManager.default.createFile(atPath: "\(directory)/\(record.fileName)", contents: Data(text.utf8)))
            }
            let store = try LocalFileControlPlaneStore(directory: directory)
            let snapshot = try await store.load()
            for (record, text) in files { #expect(snapshot[record] == Array(text.utf8), "\(record)") }
            #expect(snapshot.highWaterMarks.isEmpty)
            #expect(snapshot.revision == ControlPlaneRevision(1))
            #expect(Set(snapshot.records.values.map(\.revision)) == [ControlPlaneRevision(1)])
        }
    }

    @Test func commitsWriteTheSameFilesAndMarks() async throws {
        try await withDirectory { directory in
            let store = try LocalFileControlPlaneStore(directory: directory)
            #expect(try await store.load() == ControlPlaneSnapshot(revision: .zero))
            let map = Array(#"{"version":1}"#.utf8)
            let first = try await store.commit(ControlPlaneBatch(
                leader: store.leader, expectedRevisions: [.clusterMap: .zero],
                records: [.clusterMap: map, .clusterID: Array("strata-x\n".utf8)], highWaterMarks: [3: 17, 200: 5]))
            #expect(first == ControlPlaneRevision(1))
            #expect(file(directory, "cluster-map.json") == map)
            #expect(file(directory, "cluster-id") == Array("strata-x\n".utf8))
            #expect(file(directory, "high-water-marks.json") == Array(#"{"200":5,"3":17}"#.utf8))

            let second = try await store.commit(ControlPlaneBatch(leader: nil, records: [.clusterID: nil], highWaterMarks: [3: 18]))
            #expect(second == ControlPlaneRevision(2))
            #expect(file(directory, "cluster-id") == nil)
            let snapshot = try await store.load()
            #expect(snapshot.highWaterMarks == [3: 18, 200: 5])
            #expect(snapshot.records[.clusterMap] == StoredRecord(bytes: map, revision: first))
            #expect(snapshot.records[.clusterID] == nil)
            store.close()

            // Reopened: the same records and marks.
            let reopened = try LocalFileControlPlaneStore(directory: directory)
            let again = try await reopened.load()
            #expect(again.highWaterMarks == [3: 18, 200: 5])
            #expect(again[.clusterMap] == map)
        }
    }

    @Test func aStaleRevisionOrAForeignLeaderWritesNothing() async throws {
        try await withDirectory { directory in
            let store = try LocalFileControlPlaneStore(directory: directory)
            let written = try await store.commit(ControlPlaneBatch(leader: store.leader, records: [.clusterMap: [1]]))
            _ = try await store.commit(ControlPlaneBatch(leader: store.leader, records: [.clusterMap: [2]]))

            let stale = await #expect(throws: ControlPlaneError.self) {
                try await store.commit(ControlPlaneBatch(leader: store.leader, expectedRevisions: [.clusterMap: written], records: [.clusterMap: [3]], highWaterMarks: [1: 1]))
            }
            #expect(stale?.kind == .conflict)
            #expect(stale?.message == "the cluster-map record changed: expected revision 1, found 2")

            var foreign = store.leader
            foreign.epoch -= 1
            let deposed = await #expect(throws: ControlPlaneError.self) {
                try await store.commit(ControlPlaneBatch(leader: foreign, records: [.clusterMap: [4]]))
            }
            #expect(deposed?.kind == .notLeader)
            #expect(deposed?.strataError.code == .unavailable)
            #expect(file(directory, "cluster-map.json") == [2])
            #expect(try await store.load().highWaterMarks.isEmpty)
        }
    }

    @Test func oneProcessHoldsTheDirectoryAndEpochsGrow() async throws {
        try await withDirectory { directory in
            let first = try LocalFileControlPlaneStore(directory: directory)
            let refused = #expect(throws: ControlPlaneError.self) { try LocalFileControlPlaneStore(directory: directory) }
            #expect(refused?.message.contains("in use by another coordinator") == true)
            let epoch = first.leader.epoch
            first.close()
            let second = try LocalFileControlPlaneStore(directory: directory)
            #expect(second.leader.epoch == epoch + 1)
            second.close()
            let closed = await #expect(throws: ControlPlaneError.self) { try await second.commit(ControlPlaneBatch(leader: nil, highWaterMarks: [0: 1])) }
            #expect(closed?.kind == .unavailable)
        }
    }

    @Test func watchersSeeEveryCommitInOrder() async throws {
        try await withDirectory { directory in
            let store = try LocalFileControlPlaneStore(directory: directory)
            let updates = store.watch(after: try await store.load().revision)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { _ = try await store.commit(ControlPlaneBatch(leader: store.leader, highWaterMarks: [index: UInt64(index + 1)])) }
                }
                try await group.waitForAll()
            }
            var revisions: [Int64] = []
            var marks: [Int: UInt64] = [:]
            for try await update in updates {
                revisions.append(update.revision.value)
                marks.merge(update.highWaterMarks) { $1 }
                if revisions.count == 20 { break }
            }
            #expect(revisions == Array(1...20))
            #expect(marks == Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, UInt64($0 + 1)) }))
            // A watcher behind the store must reload.
            let behind = store.watch(after: ControlPlaneRevision(3))
            await #expect(throws: ControlPlaneError.self) { for try await _ in behind {} }
        }
    }
}
