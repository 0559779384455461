import StrataCore
import Synchronization
import Testing

@testable import StrataMetrics

@Suite("NodeMetrics")
struct NodeMetricsTests {
    static func text(_ metrics: NodeMetrics) -> [String] {
        String(decoding: metrics.render(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("RPCs are counted by service, method and code, with a latency histogram per method")
    func rpcSeries() {
        let metrics = NodeMetrics()
        metrics.recordRPC(path: "/strata.v1.Worker/Search", code: "OK", duration: .milliseconds(3))
        metrics.recordRPC(path: "/strata.v1.Worker/Search", code: "OK", duration: .milliseconds(30))
        metrics.recordRPC(path: "/strata.v1.Worker/Search", code: "INVALID_ARGUMENT", duration: .microseconds(100))
        let lines = Self.text(metrics)
        #expect(lines.contains(#"strata_rpc_requests_total{service="strata.v1.Worker",method="Search",code="OK"} 2"#))
        #expect(lines.contains(#"strata_rpc_requests_total{service="strata.v1.Worker",method="Search",code="INVALID_ARGUMENT"} 1"#))
        #expect(lines.contains(#"strata_rpc_duration_seconds_count{service="strata.v1.Worker",method="Search"} 3"#))
        #expect(lines.contains(#"strata_rpc_duration_seconds_bucket{service="strata.v1.Worker",method="Search",le="0.005"} 2"#))
        #expect(lines.contains(#"strata_rpc_duration_seconds_bucket{service="strata.v1.Worker",method="Search",le="+Inf"} 3"#))
        #expect(lines.contains("# TYPE strata_rpc_duration_seconds histogram"))
    }

    @Test("sampled counters take the source's running total at each scrape instead of adding it up")
    func sampledCounters() {
        let metrics = NodeMetrics()
        let hits = Mutex<Double>(5)
        metrics.addSampler {
            [MetricSample("strata_tier_hits_total", .counter, hits.withLock { $0 }, labels: [.init("tier", "hot")], help: "Hits.")]
        }
        #expect(Self.text(metrics).contains(#"strata_tier_hits_total{tier="hot"} 5"#))
        hits.withLock { $0 = 9 }
        let lines = Self.text(metrics)
        #expect(lines.contains(#"strata_tier_hits_total{tier="hot"} 9"#))
        #expect(lines.contains("# TYPE strata_tier_hits_total counter"))
        #expect(lines.contains("# HELP strata_tier_hits_total Hits."))
    }

    @Test("ingest counters exist only on nodes that take ingests, from zero")
    func ingestCounters() {
        let coordinator = NodeMetrics(countsIngest: true)
        #expect(Self.text(coordinator).contains("strata_ingest_documents_total 0"))
        coordinator.recordIngest(documents: 2, chunks: 7, tokens: 300)
        coordinator.recordIngest(documents: 1, chunks: 1, tokens: 20)
        let lines = Self.text(coordinator)
        #expect(lines.contains("strata_ingest_documents_total 3"))
        #expect(lines.contains("strata_ingest_chunks_total 8"))
        #expect(lines.contains("strata_ingest_tokens_total 320"))
        let worker = NodeMetrics()
        worker.recordIngest(documents: 1, chunks: 1, tokens: 1)
        #expect(!Self.text(worker).contains { $0.contains("strata_ingest_") })
    }

    @Test("a port already in use is refused at bind")
    func portInUse() async throws {
        let first = try MetricsHTTPServer(host: "127.0.0.1", port: 0) { [] }
        let port = Int(first.address.split(separator: ":").last!)!
        #expect(port > 0)
        #expect(throws: (any Error).self) { try MetricsHTTPServer(host: "127.0.0.1", port: port) { [] } }
        await first.shutdown()
    }
}
