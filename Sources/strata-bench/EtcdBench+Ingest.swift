import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StrataEtcd
import StrataWire

/// `strata-bench etcd --ingest`: what making each acknowledged high-water mark durable adds to
/// an ingest acknowledgement, with the control plane in local files and in etcd, in the same
/// run: 1 coordinator + 2 workers (R = 2) per control plane, one small ingest stream per batch,
/// the client's time per acknowledged batch and the coordinator's own medians from /metrics
/// (batch arrival to acknowledgement, and the mark commit inside it).
extension EtcdBench {
    func measureIngest() async throws {
        print("# strata-bench etcd --ingest: \(ingestBatches) batches of \(documentsPerBatch) documents, one stream per batch, R = 2 on 2 workers; "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores shared by every process")
        let etcd = try await LocalEtcd.start(members: members, extraArguments: ["--max-txn-ops", "1024"])
        defer { etcd.stop() }
        print("| control plane | client: batch acknowledged p50 ms | p99 ms | coordinator: batch median ms | mark commit median ms | mark share |")
        print("|---|---:|---:|---:|---:|---:|")
        for (name, settings) in [("local files", [String]()), ("etcd (\(members) member)", ["--set", "coordinator.etcd_endpoints=\(etcd.endpoints.joined(separator: ","))"])] {
            let nodes = try ClusterBench.ChildNodes(workDir: NSTemporaryDirectory())
            defer { nodes.stopAll() }
            let metricsPort = try ClusterBench.ChildNodes.freePort()
            try nodes.startCoordinator(settings: settings + ["--set", "coordinator.metrics_port=\(metricsPort)", "--set", "coordinator.slots=64"])
            for _ in 0..<2 { try nodes.startWorker(settings: ["--set", "coordinator.slots=64"]) }
            let client = ClusterBench.ClusterClient(address: nodes.coordinatorAddress)
            try await client.waitFullyReplicated(workers: 2, timeout: .seconds(60))
            try await client.createNamespace("bench", tokenizer: .estimate, dimension: 0)
            var latencies: [Double] = []
            let clock = ContinuousClock()
            let started = clock.now
            for batch in 0..<ingestBatches {
                let documents = (0..<documentsPerBatch).map { Document(id: "b\(batch)-d\($0)", text: "batch \(batch) document \($0): leases, epochs and high-water marks") }
                let before = clock.now
                let summary = try await client.ingest(namespace: "bench", batches: [documents])
                guard summary.rejected.isEmpty else { throw ClusterBench.BenchFailure("ingest rejected \(summary.rejected.count) documents: \(summary.rejected.first!.reason)") }
                latencies.append((clock.now - before).seconds)
            }
            let summary = LatencySummary(latencies: latencies, seconds: (clock.now - started).seconds)
            let metrics = try await Self.scrape(port: metricsPort)
            let batchMedian = metrics["strata_coordinator_ingest_batch_ack_median_seconds"] ?? 0
            let markMedian = metrics["strata_coordinator_mark_commit_median_seconds"] ?? 0
            print("| \(name) | \(format(summary.p50Microseconds / 1000, 2)) | \(format(summary.p99Microseconds / 1000, 2)) | "
                + "\(format(batchMedian * 1000, 2)) | \(format(markMedian * 1000, 2)) | \(format(batchMedian > 0 ? 100 * markMedian / batchMedian : 0, 0)) % |")
        }
    }

    /// The unlabelled series of a node's /metrics, by name.
    private static func scrape(port: Int) async throws -> [String: Double] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let text = String(decoding: data, as: UTF8.self)
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }
}
