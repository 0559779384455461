import Foundation
import StrataCore
import StrataNode
import StrataStore
import StrataWire
import Testing

/// Every acknowledged write's high-water mark is durable in the control plane before the
/// client hears of it (issue 15; the known limit of docs/cluster.md before it).
@Suite(.serialized) struct AcknowledgedMarkTests {
    @Test func eachSlotsMarkIsDurableWhenTheIngestIsAcknowledged() async throws {
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        let summary = try await cluster.ingest([
            IngestRequest(namespace: "docs", documents: (0..<24).map { Document(id: "doc-\($0)", text: "text of document \($0)") }),
        ])
        #expect(summary.documents == 24)
        // Read right after the acknowledgement, from the file the control plane wrote: each
        // written slot's mark is the sequence its replicas hold (R = 2 of 2, so every
        // acknowledged write is on both).
        let path = try #require(cluster.root) + "/coordinator/high-water-marks.json"
        let data = try #require(FileManager.default.contents(atPath: path), "no high-water marks written at \(path)")
        let marks = try JSONDecoder().decode([String: UInt64].self, from: data)
        let held = Dictionary(uniqueKeysWithValues: cluster.workers[0].status().slots.filter { $0.sequence > 0 }.map { (String($0.slot), $0.sequence) })
        #expect(!held.isEmpty)
        #expect(marks == held)
        await cluster.stop()
    }

    @Test func aRestartedCoordinatorStartsFromTheDurableMarks() async throws {
        let cluster = try await SmallCluster(workers: 1, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: (0..<8).map { Document(id: "d\($0)", text: "t\($0)") })])
        let directory = try #require(cluster.root) + "/coordinator"
        let config = try SmallCluster.config(directory, replicas: 1)
        await cluster.coordinator.shutdown()
        // The map on disk was written at the last membership change; the marks since are in
        // high-water-marks.json, and a restarted coordinator takes the higher of the two.
        let restarted = try CoordinatorNode(config: config)
        let held = cluster.workers[0].status().slots.filter { $0.sequence > 0 }
        #expect(!held.isEmpty)
        let sequences = restarted.slotHighWaterMarks()
        for position in held { #expect(sequences[position.slot] == position.sequence, "slot \(position.slot)") }
        await restarted.shutdown()
        await cluster.stop()
    }
}
