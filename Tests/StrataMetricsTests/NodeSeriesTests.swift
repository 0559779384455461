import StrataCore
import Testing

@testable import StrataMetrics

@Suite("NodeSeries")
struct NodeSeriesTests {
    static func workerReport() -> NodeStatusReport {
        var hot = TierStats(tier: .hot, backend: "host", precision: .int8, eviction: .lru)
        hot.entries = 3
        hot.tokens = 120
        hot.bytesUsed = 4_096
        hot.capacityBytes = 1 << 20
        hot.hits = 7
        hot.misses = 2
        hot.evictions = 1
        let persistent = TierStats(tier: .persistent, backend: "disk", precision: .float16, eviction: .none)
        return NodeStatusReport(
            nodeID: "worker-1", role: .worker, address: "127.0.0.1:7401", state: .serving, version: "0.1.0",
            uptimeSeconds: 12.5, startedAtUnix: 0, tiers: [hot, persistent], walBytes: 100, segmentBytes: 2_000,
            slots: [SlotPosition(slot: 1, sequence: 4), SlotPosition(slot: 9, sequence: 1)])
    }

    static func value(_ samples: [MetricSample], _ name: String, _ labels: [MetricSample.Label] = []) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    @Test("a worker exports every tier's gauges and counters labelled by tier and backend")
    func workerTiers() {
        let samples = NodeSeries.samples(Self.workerReport())
        let hot: [MetricSample.Label] = [.init("tier", "hot"), .init("backend", "host")]
        #expect(Self.value(samples, "strata_tier_entries", hot) == 3)
        #expect(Self.value(samples, "strata_tier_tokens", hot) == 120)
        #expect(Self.value(samples, "strata_tier_bytes", hot) == 4_096)
        #expect(Self.value(samples, "strata_tier_capacity_bytes", hot) == Double(1 << 20))
        #expect(Self.value(samples, "strata_tier_hits_total", hot) == 7)
        #expect(Self.value(samples, "strata_tier_misses_total", hot) == 2)
        #expect(Self.value(samples, "strata_tier_evictions_total", hot) == 1)
        #expect(Self.value(samples, "strata_tier_entries", [.init("tier", "persistent"), .init("backend", "disk")]) == 0)
        #expect(Self.value(samples, "strata_wal_bytes") == 100)
        #expect(Self.value(samples, "strata_segment_bytes") == 2_000)
        #expect(Self.value(samples, "strata_worker_slots") == 2)
        #expect(Self.value(samples, "strata_node_serving") == 1)
        #expect(Self.value(samples, "strata_node_uptime_seconds") == 12.5)
    }

    @Test("counters end in _total and nothing else does")
    func counterNames() {
        for sample in NodeSeries.samples(Self.workerReport()) {
            #expect(sample.name.hasPrefix("strata_"))
            #expect(sample.name.hasSuffix("_total") == (sample.kind == .counter), "\(sample.name)")
            #expect(!sample.help.isEmpty)
        }
    }

    @Test("a coordinator exports no tier or storage series; a starting node is not serving")
    func coordinator() {
        let report = NodeStatusReport(nodeID: "coordinator-1", role: .coordinator, address: "127.0.0.1:7400", state: .starting,
                                      version: "0.1.0", uptimeSeconds: 1, startedAtUnix: 0)
        let samples = NodeSeries.samples(report)
        #expect(samples.allSatisfy { !$0.name.hasPrefix("strata_tier_") && $0.name != "strata_wal_bytes" })
        #expect(Self.value(samples, "strata_node_serving") == 0)
        #expect(Self.value(samples, "strata_node_info", [.init("role", "coordinator"), .init("node_id", "coordinator-1"), .init("version", "0.1.0")]) == 1)
    }
}
